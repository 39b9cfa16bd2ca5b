"""Messages of the general error codes and of the HTTP layer."""

MESSAGES: dict[str, dict[str, str]] = {
    "error": {"en": "Something went wrong.", "es": "Algo salió mal."},
    "internal_error": {
        "en": "An internal error occurred; it has been logged.",
        "es": "Ocurrió un error interno; quedó registrado.",
    },
    "not_authenticated": {
        "en": "Authentication required: log in or send 'Authorization: Bearer <token>'.",
        "es": "Se requiere autenticación: inicie sesión o envíe 'Authorization: Bearer <token>'.",
    },
    "invalid_credentials": {
        "en": "Wrong e-mail or password.",
        "es": "Correo o contraseña incorrectos.",
    },
    "invalid_token": {
        "en": "The access token is invalid, expired or revoked.",
        "es": "El token de acceso no es válido, venció o fue revocado.",
    },
    "login_locked": {
        "en": "Too many failed logins for this account: try again in {minutes} minutes.",
        "es": "Demasiados intentos fallidos para esta cuenta: vuelva a intentarlo en {minutes} minutos.",
    },
    "too_many_attempts": {
        "en": "Too many attempts: try again later.",
        "es": "Demasiados intentos: vuelva a intentarlo más tarde.",
    },
    "session_expired": {
        "en": "Your session has expired; log in again.",
        "es": "Su sesión venció; inicie sesión de nuevo.",
    },
    "csrf_failed": {
        "en": "Missing or wrong X-CSRF-Token header for a cookie-authenticated request.",
        "es": "Falta el encabezado X-CSRF-Token o no es correcto en una solicitud autenticada por cookie.",
    },
    "permission_denied": {
        "en": "Your role does not allow this action.",
        "es": "Su rol no permite esta acción.",
    },
    "admin_required": {
        "en": "Only instance administrators can do this.",
        "es": "Solo los administradores de la instancia pueden hacer esto.",
    },
    "cannot_grant_role": {
        "en": "Your role cannot grant the role '{role}'.",
        "es": "Su rol no puede otorgar el rol '{role}'.",
    },
    "not_found": {"en": "{kind} not found.", "es": "{kind}: no se encontró."},
    "route_not_found": {"en": "No such endpoint: {path}.", "es": "No existe el endpoint: {path}."},
    "method_not_allowed": {
        "en": "Method {method} is not allowed on {path}.",
        "es": "El método {method} no está permitido en {path}.",
    },
    "invalid_input": {"en": "The request is not valid.", "es": "La solicitud no es válida."},
    "validation_error": {
        "en": "The request body or parameters are not valid: {summary}",
        "es": "El cuerpo o los parámetros de la solicitud no son válidos: {summary}",
    },
    "body_unreadable": {
        "en": (
            "The body could not be read: it is not JSON this server accepts (a number of more than 4,300 "
            "digits, for instance)."
        ),
        "es": (
            "No se pudo leer el cuerpo: no es un JSON que este servidor acepte (un número de más de 4.300 "
            "dígitos, por ejemplo)."
        ),
    },
    "request_refused": {
        "en": "The request was refused (HTTP {status}).",
        "es": "La solicitud fue rechazada (HTTP {status}).",
    },
    "malformed_json": {
        "en": "The body is not valid JSON: {reason}",
        "es": "El cuerpo no es JSON válido: {reason}",
    },
    "invalid_cursor": {
        "en": "The pagination cursor is not valid; start again without it.",
        "es": "El cursor de paginación no es válido; empiece de nuevo sin él.",
    },
    "cursor_and_offset": {
        "en": "Use either 'cursor' or 'offset', not both.",
        "es": "Use 'cursor' u 'offset', no ambos.",
    },
    "unsupported_media_type": {
        "en": "Content type '{content_type}' is not supported here; use one of: {supported}.",
        "es": "El tipo de contenido '{content_type}' no se admite aquí; use uno de: {supported}.",
    },
    "unsupported_export_format": {
        "en": "Export format '{format}' is not supported; use one of: {supported}.",
        "es": "El formato de exportación '{format}' no se admite; use uno de: {supported}.",
    },
    "payload_too_large": {
        "en": "The body is larger than the limit of {limit} bytes.",
        "es": "El cuerpo supera el límite de {limit} bytes.",
    },
    "conflict": {
        "en": "The request conflicts with the current state.",
        "es": "La solicitud contradice el estado actual.",
    },
    "already_exists": {"en": "{kind} already exists.", "es": "{kind} ya existe."},
    "already_member": {
        "en": "This user is already a member of the workspace.",
        "es": "Este usuario ya es miembro del espacio de trabajo.",
    },
    "email_taken": {
        "en": "A user with e-mail {email} already exists.",
        "es": "Ya existe un usuario con el correo {email}.",
    },
    "already_annotated": {
        "en": "You have already annotated task {task_id}.",
        "es": "Usted ya anotó la tarea {task_id}.",
    },
    "no_free_slot": {
        "en": "Task {task_id} already has the {overlap} annotations it needs (or they are leased); "
        "your lease expired or you never held one.",
        "es": "La tarea {task_id} ya tiene las {overlap} anotaciones que necesita (o están reservadas); "
        "su reserva venció o nunca la tuvo.",
    },
    "idempotency_key_reused": {
        "en": "Idempotency-Key '{key}' was already used for a different request.",
        "es": "El Idempotency-Key '{key}' ya se usó para otra solicitud.",
    },
    "invalid_idempotency_key": {
        "en": "Idempotency-Key must be 1 to 200 printable ASCII characters.",
        "es": "Idempotency-Key debe tener de 1 a 200 caracteres ASCII imprimibles.",
    },
    "weak_password": {
        "en": "The password must have at least {min_length} characters.",
        "es": "La contraseña debe tener al menos {min_length} caracteres.",
    },
    "user_or_email_required": {
        "en": "Give exactly one of 'user_id' or 'email'.",
        "es": "Indique exactamente uno de 'user_id' o 'email'.",
    },
    "user_inactive": {
        "en": "This user account is deactivated.",
        "es": "Esta cuenta de usuario está desactivada.",
    },
    "kind_workspace": {"en": "Workspace", "es": "Espacio de trabajo"},
    "kind_project": {"en": "Project", "es": "Proyecto"},
    "kind_task": {"en": "Task", "es": "Tarea"},
    "kind_user": {"en": "User", "es": "Usuario"},
    "kind_token": {"en": "Token", "es": "Token"},
    "kind_membership": {"en": "Membership", "es": "Membresía"},
    "kind_media_file": {"en": "Media file", "es": "Archivo multimedia"},
}

MESSAGES["overlap_below_taken"] = {
    "en": "Overlap cannot go down to {overlap}: a task already holds {taken} annotations or leases.",
    "es": "El solapamiento no puede bajar a {overlap}: una tarea ya tiene {taken} anotaciones o reservas.",
}

MESSAGES["nul_character"] = {
    "en": "Text may not contain the NUL character (U+0000).",
    "es": "El texto no puede contener el carácter NUL (U+0000).",
}

# Pre-labels, undo, members (issue: annotator and manager capabilities of the web app)
MESSAGES.update(
    {
        "no_prediction": {
            "en": "Task {task_id} has no model prediction, so the origin '{origin}' is not possible; "
            "send the origin 'human'.",
            "es": "La tarea {task_id} no tiene predicción del modelo, así que el origen '{origin}' no es "
            "posible; envíe el origen 'human'.",
        },
        "undo_not_own": {
            "en": "Only the annotator who submitted an annotation can undo it.",
            "es": "Solo quien envió una anotación puede deshacerla.",
        },
        "undo_not_latest": {
            "en": "Only your most recent annotation in this project can be undone; annotation "
            "{annotation_id} is not it.",
            "es": "Solo se puede deshacer su anotación más reciente en este proyecto; la anotación "
            "{annotation_id} no lo es.",
        },
        "undo_task_closed": {
            "en": "Task {task_id} is closed (its final label has been decided); its annotations can no "
            "longer be undone.",
            "es": "La tarea {task_id} está cerrada (ya se decidió su etiqueta final); sus anotaciones ya no "
            "se pueden deshacer.",
        },
        "undo_too_late": {
            "en": "Annotation {annotation_id} was submitted more than {minutes} minutes ago; it can no "
            "longer be undone.",
            "es": "La anotación {annotation_id} se envió hace más de {minutes} minutos; ya no se puede "
            "deshacer.",
        },
        "cannot_manage_role": {
            "en": "Your role cannot change or remove a member whose role is '{role}'.",
            "es": "Su rol no puede cambiar ni quitar a un miembro cuyo rol es '{role}'.",
        },
        "last_admin": {
            "en": "The workspace must keep at least one admin, and this member is the last one; make "
            "someone else admin first.",
            "es": "El espacio de trabajo debe conservar al menos un administrador y este miembro es el "
            "último; nombre antes a otro administrador.",
        },
        "kind_annotation": {"en": "Annotation", "es": "Anotación"},
        "kind_member": {"en": "Member", "es": "Miembro"},
    }
)

# Accounts: password change, deactivation, one's own role (issue 6, hardening)
MESSAGES.update(
    {
        "wrong_current_password": {
            "en": "The current password is wrong; nothing was changed.",
            "es": "La contraseña actual no es correcta; no se cambió nada.",
        },
        "cannot_deactivate_self": {
            "en": "You cannot deactivate your own account; ask another instance administrator.",
            "es": "No puede desactivar su propia cuenta; pídaselo a otro administrador de la instancia.",
        },
        "cannot_change_own_role": {
            "en": "Nobody can change their own role; ask another admin or manager of the workspace.",
            "es": "Nadie puede cambiar su propio rol; pídaselo a otro administrador o responsable del espacio de "
            "trabajo.",
        },
    }
)
