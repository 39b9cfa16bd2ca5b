"""Messages of the QA workflow: settings, routing, gold, pauses, finalization and adjudication."""

MESSAGES: dict[str, dict[str, str]] = {
    "qa_setting_invalid": {
        "en": "The QA setting '{field}' is not valid (see docs/quality.md, 'QA workflow', for each setting's range).",
        "es": "El ajuste de calidad '{field}' no es válido (vea docs/quality.md, 'QA workflow', para el rango de cada ajuste).",
    },
    "settings_invalid": {
        "en": "The project's QA settings are not valid.",
        "es": "Los ajustes de calidad del proyecto no son válidos.",
    },
    "kind_gold_task": {"en": "Gold task", "es": "Tarea de control"},
    "qa_setting_unknown": {
        "en": "There is no QA setting '{field}'.",
        "es": "No existe el ajuste de calidad '{field}'.",
    },
    "requirement_invalid": {
        "en": "The requirement '{field}' is not valid: a language is an ISO 639 code such as 'es', a dialect a "
        "tag of it such as 'es-CO', a domain a lowercase word such as 'medical'.",
        "es": "El requisito '{field}' no es válido: un idioma es un código ISO 639 como 'es', un dialecto una "
        "etiqueta suya como 'es-CO', un dominio una palabra en minúsculas como 'medical'.",
    },
    "skill_invalid": {
        "en": "The skill '{field}' is not valid: languages need a code such as 'es', an optional dialect such as "
        "'es-CO' and a level (A1, A2, B1, B2, C1, C2 or native); domains are lowercase words.",
        "es": "La habilidad '{field}' no es válida: los idiomas necesitan un código como 'es', un dialecto "
        "opcional como 'es-CO' y un nivel (A1, A2, B1, B2, C1, C2 o native); los dominios son palabras en "
        "minúsculas.",
    },
    "member_change_required": {
        "en": "Say what to change: send the member's new 'role', their 'skills', or both.",
        "es": "Indique qué cambiar: envíe el nuevo 'role' del miembro, sus 'skills' o ambos.",
    },
    "annotator_paused": {
        "en": "You are paused from this project: your answers to the quality-check questions fell below the "
        "project's bar. A manager has been told and can resume you.",
        "es": "Está en pausa en este proyecto: sus respuestas a las preguntas de control de calidad quedaron por "
        "debajo del nivel del proyecto. Se ha avisado a un responsable, que puede reanudarle.",
    },
    "gold_result_invalid": {
        "en": "The expected result of the gold task does not fit the label schema: {issue}",
        "es": "El resultado esperado de la tarea de control no se ajusta al esquema de etiquetas: {issue}",
    },
    "gold_has_annotations": {
        "en": "Task {task_id} already has annotations as an ordinary task; only a task nobody has answered can "
        "become a gold task.",
        "es": "La tarea {task_id} ya tiene anotaciones como tarea normal; solo una tarea que nadie ha respondido "
        "puede convertirse en tarea de control.",
    },
    "task_not_escalated": {
        "en": "Task {task_id} is not waiting for adjudication.",
        "es": "La tarea {task_id} no está esperando adjudicación.",
    },
    "task_not_final": {
        "en": "Task {task_id} has no final label to reopen.",
        "es": "La tarea {task_id} no tiene una etiqueta final que reabrir.",
    },
    "adjudication_reasoning_required": {
        "en": "An adjudication needs its reasoning: say why this is the right label.",
        "es": "Una adjudicación necesita su razonamiento: explique por qué esta es la etiqueta correcta.",
    },
    "adjudication_reasoning_too_long": {
        "en": "The reasoning has {length} characters; the limit is {limit}.",
        "es": "El razonamiento tiene {length} caracteres; el límite es {limit}.",
    },
    "pause_not_found": {
        "en": "Annotator {user_id} is not paused in this project.",
        "es": "El anotador {user_id} no está en pausa en este proyecto.",
    },
    "gold_task_no_finalization": {
        "en": "Task {task_id} is a gold task: it has an expected result and no final label.",
        "es": "La tarea {task_id} es una tarea de control: tiene un resultado esperado y no una etiqueta final.",
    },
    # adjudication and finalization (services/adjudication.py, services/finalize.py, `consenso qa finalize`)
    "adjudication_invalid": {
        "en": "The adjudication is not valid.",
        "es": "La adjudicación no es válida.",
    },
    "adjudication_own_task": {
        "en": "You annotated task {task_id}: its final label must be decided by someone else.",
        "es": "Usted anotó la tarea {task_id}: su etiqueta final debe decidirla otra persona.",
    },
    "reopen_reasoning_required": {
        "en": "Reopening a final label needs its reasoning: say why it must be decided again.",
        "es": "Reabrir una etiqueta final necesita su razonamiento: explique por qué debe decidirse de nuevo.",
    },
    "adjudication_annotator_label": {"en": "Annotator {number}", "es": "Anotador {number}"},
    "cli_qa_help": {
        "en": "QA workflow: finalization of tasks",
        "es": "Flujo de calidad: finalización de tareas",
    },
    "cli_qa_finalizing": {
        "en": "Finalizing project {project}…",
        "es": "Finalizando el proyecto {project}…",
    },
    "cli_qa_finalized": {
        "en": "Project {project}: {decided} tasks decided, {final} final, {escalated} escalated to "
        "adjudication; re-decided: {changed} changed, {unchanged} unchanged.",
        "es": "Proyecto {project}: {decided} tareas decididas, {final} finales, {escalated} enviadas a "
        "adjudicación; redecididas: {changed} cambiaron, {unchanged} sin cambios.",
    },
    "cli_qa_col_count": {"en": "Tasks", "es": "Tareas"},
    "cli_qa_col_what": {"en": "Outcome", "es": "Resultado"},
    "cli_qa_row_decided": {"en": "decided now", "es": "decididas ahora"},
    "cli_qa_row_final": {"en": "final label", "es": "etiqueta final"},
    "cli_qa_row_escalated": {"en": "escalated to adjudication", "es": "enviadas a adjudicación"},
    "cli_qa_row_changed": {"en": "re-decided, changed", "es": "redecididas, con cambios"},
    "cli_qa_row_unchanged": {"en": "re-decided, unchanged", "es": "redecididas, sin cambios"},
}
