"""Messages printed by the command-line interface."""

MESSAGES: dict[str, dict[str, str]] = {
    "cli_help": {
        "en": "Consenso: self-hosted annotation with quality you can prove.",
        "es": "Consenso: anotación autoalojada con calidad demostrable.",
    },
    "cli_migrating": {
        "en": "Upgrading the database schema…",
        "es": "Actualizando el esquema de la base de datos…",
    },
    "cli_db_current": {
        "en": "Database is at revision {revision} ({url}).",
        "es": "La base de datos está en la revisión {revision} ({url}).",
    },
    "cli_serving": {
        "en": "Consenso {version} on http://{host}:{port}  (database: {database})",
        "es": "Consenso {version} en http://{host}:{port}  (base de datos: {database})",
    },
    "cli_user_created": {
        "en": "Created user {id} <{email}>{admin}.",
        "es": "Usuario {id} <{email}> creado{admin}.",
    },
    "cli_admin_suffix": {"en": " (instance admin)", "es": " (administrador de la instancia)"},
    "cli_password_prompt": {"en": "Password", "es": "Contraseña"},
    "cli_password_stdin_empty": {
        "en": "No password given: pass --password or pipe it on standard input.",
        "es": "No se indicó contraseña: use --password o envíela por la entrada estándar.",
    },
    "cli_token_created": {
        "en": "New token for {email} (shown once; store it now):",
        "es": "Nuevo token para {email} (se muestra una sola vez; guárdelo ahora):",
    },
    "cli_user_missing": {
        "en": "No user with e-mail {email}.",
        "es": "No existe un usuario con el correo {email}.",
    },
    "cli_no_admin": {
        "en": "No instance admin exists yet: create one with `consenso user add --email E --admin`.",
        "es": "Aún no hay un administrador de la instancia: cree uno con `consenso user add --email E --admin`.",
    },
    "cli_importing": {"en": "Importing {path}", "es": "Importando {path}"},
    "cli_imported": {
        "en": "Imported {created} new tasks ({duplicates} exact duplicates skipped); the project has {task_count}.",
        "es": "Se importaron {created} tareas nuevas (se omitieron {duplicates} duplicados exactos); "
        "el proyecto tiene {task_count}.",
    },
    "cli_exporting": {"en": "Exporting project {project}", "es": "Exportando el proyecto {project}"},
    "cli_exported": {
        "en": "Exported {lines} tasks ({megabytes:.1f} MB) to {path}.",
        "es": "Se exportaron {lines} tareas ({megabytes:.1f} MB) a {path}.",
    },
    "cli_file_missing": {"en": "File not found: {path}", "es": "No se encontró el archivo: {path}"},
    "cli_unknown_format": {
        "en": "Cannot tell the format of {path}: use --format json, jsonl or csv.",
        "es": "No se reconoce el formato de {path}: use --format json, jsonl o csv.",
    },
    "cli_error": {"en": "Error: {message}", "es": "Error: {message}"},
    "cli_demo_ready": {
        "en": "Demo ready: workspace {workspace}, project {project} with {tasks} tasks.",
        "es": "Demo lista: espacio de trabajo {workspace}, proyecto {project} con {tasks} tareas.",
    },
    "cli_demo_open": {"en": "Open {url} and log in as:", "es": "Abra {url} e inicie sesión como:"},
    "cli_demo_col_role": {"en": "Role", "es": "Rol"},
    "cli_demo_col_email": {"en": "E-mail", "es": "Correo"},
    "cli_demo_col_password": {"en": "Password", "es": "Contraseña"},
    "cli_demo_note": {
        "en": "These passwords are new on every run of `consenso demo`; the data is kept.",
        "es": "Estas contraseñas cambian en cada ejecución de `consenso demo`; los datos se conservan.",
    },
    "cli_unsafe_secret": {"en": "Refusing to start: {reason}", "es": "No se inicia: {reason}"},
}

# ``consenso user set-password`` / ``deactivate`` / ``activate`` (issue 6, accounts hardening)
MESSAGES.update(
    {
        "cli_password_set": {
            "en": "New password set for user {id} <{email}>; every session of theirs is signed out.",
            "es": "Nueva contraseña para el usuario {id} <{email}>; todas sus sesiones quedaron cerradas.",
        },
        "cli_user_deactivated": {
            "en": "Deactivated user {id} <{email}>: signed out everywhere, API tokens revoked.",
            "es": "Usuario {id} <{email}> desactivado: sesiones cerradas y tokens de API revocados.",
        },
        "cli_user_activated": {
            "en": "Activated user {id} <{email}>: they can log in again (old sessions and tokens stay revoked).",
            "es": "Usuario {id} <{email}> activado: puede volver a iniciar sesión (las sesiones y los tokens "
            "anteriores siguen revocados).",
        },
    }
)
