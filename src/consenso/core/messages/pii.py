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
