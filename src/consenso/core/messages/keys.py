"""Messages of the encryption keys (``consenso keys``, consenso.services.keys)."""

MESSAGES: dict[str, dict[str, str]] = {
    "cli_keys_help": {
        "en": "Encryption keys of sensitive fields at rest: status and rotation",
        "es": "Claves de cifrado de los campos sensibles en reposo: estado y rotación",
    },
    "cli_keys_file": {"en": "Keyring: {path}", "es": "Llavero: {path}"},
    "cli_keys_line": {
        "en": "{marker} {key_id}: {count} sealed value(s){note}",
        "es": "{marker} {key_id}: {count} valor(es) sellado(s){note}",
    },
    "cli_keys_active_note": {"en": " (active)", "es": " (activa)"},
    "cli_keys_missing_note": {
        "en": " (NOT in the keyring: these values cannot be read)",
        "es": " (NO está en el llavero: estos valores no se pueden leer)",
    },
    "cli_keys_resealing": {
        "en": "Re-sealing under the new key",
        "es": "Volviendo a sellar con la clave nueva",
    },
    "cli_keys_rotated": {
        "en": "New active key {new_key}; {resealed} value(s) re-sealed; retired: {retired}; kept: {kept}.",
        "es": "Nueva clave activa {new_key}; {resealed} valor(es) sellado(s) de nuevo; retiradas: {retired}; "
        "conservadas: {kept}.",
    },
    "cli_keys_unusable": {
        "en": "The keyring cannot be used: {reason}",
        "es": "El llavero no se puede usar: {reason}",
    },
}
