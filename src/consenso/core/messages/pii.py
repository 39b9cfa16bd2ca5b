"""Messages of PII detection and masking (``consenso.core.pii``): policy errors, refusals, type names."""

MESSAGES: dict[str, dict[str, str]] = {
    "pii_policy_invalid": {
        "en": "The PII policy field '{field}' is not valid.",
        "es": "El campo '{field}' de la política de datos personales no es válido.",
    },
    "pii_policy_unknown": {
        "en": "The PII policy has no field '{field}'; its fields are 'enabled' and 'entities'.",
        "es": "La política de datos personales no tiene el campo '{field}'; sus campos son 'enabled' y 'entities'.",
    },
    "pii_unknown_entity": {
        "en": "'{entity}' is not a kind of personal data Consenso detects; use one of: {supported}.",
        "es": "'{entity}' no es un tipo de dato personal que Consenso detecte; use uno de: {supported}.",
    },
    "pii_unknown_strategy": {
        "en": "'{strategy}' is not a masking strategy for '{entity}'; use one of: {supported}.",
        "es": "'{strategy}' no es una estrategia de enmascaramiento para '{entity}'; use una de: {supported}.",
    },
    "pii_card_security_code_refused": {
        "en": (
            "The field '{field}' holds a card security code (CVV/CVC) at character {start}. Consenso never "
            "stores card security codes: remove them and import again."
        ),
        "es": (
            "El campo '{field}' contiene un código de seguridad de tarjeta (CVV/CVC) en el carácter {start}. "
            "Consenso nunca guarda códigos de seguridad de tarjetas: elimínelos e importe de nuevo."
        ),
    },
    "pii_track_data_refused": {
        "en": (
            "The field '{field}' holds magnetic-stripe track data at character {start}. Consenso never stores "
            "card track data: remove it and import again."
        ),
        "es": (
            "El campo '{field}' contiene datos de la banda magnética de una tarjeta en el carácter {start}. "
            "Consenso nunca guarda datos de banda magnética: elimínelos e importe de nuevo."
        ),
    },
    "pii_no_original": {
        "en": "Task {task_id} holds no masked personal data: what it shows is what was imported.",
        "es": "La tarea {task_id} no tiene datos personales enmascarados: lo que muestra es lo que se importó.",
    },
    "pii_key_missing": {
        "en": (
            "The original is sealed under key '{key_id}', which is not in this instance's keyring; restore "
            "that key from the keyring's backup to read it."
        ),
        "es": (
            "El original está sellado con la clave '{key_id}', que no está en el llavero de esta instancia; "
            "restaure esa clave desde la copia de seguridad del llavero para leerlo."
        ),
    },
    "pii_seal_broken": {
        "en": (
            "The sealed original of task {task_id} does not open: it was altered or copied from another task. "
            "The audit log and the database's backups say since when."
        ),
        "es": (
            "El original sellado de la tarea {task_id} no abre: fue alterado o copiado de otra tarea. El "
            "registro de auditoría y las copias de seguridad de la base de datos dicen desde cuándo."
        ),
    },
    "pii_entity_email": {"en": "E-mail address", "es": "Correo electrónico"},
    "pii_entity_phone": {"en": "Phone number", "es": "Número de teléfono"},
    "pii_entity_card": {"en": "Payment card number", "es": "Número de tarjeta de pago"},
    "pii_entity_iban": {"en": "IBAN", "es": "IBAN"},
    "pii_entity_us_ssn": {"en": "US Social Security number", "es": "Número de seguro social de EE. UU."},
    "pii_entity_co_cedula": {"en": "Colombian cédula", "es": "Cédula de ciudadanía colombiana"},
    "pii_entity_co_nit": {"en": "Colombian NIT", "es": "NIT colombiano"},
    "pii_strategy_remove": {"en": "Remove", "es": "Eliminar"},
    "pii_strategy_tag": {"en": "Type tag", "es": "Etiqueta de tipo"},
    "pii_strategy_partial": {"en": "Partial", "es": "Parcial"},
    "pii_strategy_pseudonym": {"en": "Pseudonym", "es": "Seudónimo"},
}
