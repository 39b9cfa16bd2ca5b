"""Messages of reviews (``consenso.core.review``) and of the review queue's filters."""

MESSAGES: dict[str, dict[str, str]] = {
    "review_invalid": {
        "en": "The review is not valid.",
        "es": "La revisión no es válida.",
    },
    "review_comment_required": {
        "en": "A rejection needs a comment saying what is wrong.",
        "es": "Un rechazo necesita un comentario que diga qué está mal.",
    },
    "review_comment_too_long": {
        "en": "The comment has {length} characters; the limit is {limit}.",
        "es": "El comentario tiene {length} caracteres; el límite es {limit}.",
    },
    "review_fixed_result_required": {
        "en": "The verdict 'fixed' needs 'fixed_result': the corrected answer.",
        "es": "El veredicto 'fixed' necesita 'fixed_result': la respuesta corregida.",
    },
    "review_fixed_result_not_allowed": {
        "en": "'fixed_result' goes only with the verdict 'fixed', not with '{verdict}'.",
        "es": "'fixed_result' solo acompaña al veredicto 'fixed', no a '{verdict}'.",
    },
    "review_fix_unchanged": {
        "en": "The fixed answer is the same as the annotation's; accept it instead.",
        "es": "La respuesta corregida es igual a la de la anotación; acéptela en su lugar.",
    },
    "review_own_annotation": {
        "en": "You cannot review your own annotation.",
        "es": "No puede revisar su propia anotación.",
    },
    "review_filter_not_choice": {
        "en": "'{control}' is not a choice control of this project's label schema.",
        "es": "'{control}' no es un control de opción única del esquema de etiquetas de este proyecto.",
    },
    "review_filter_unknown_label": {
        "en": "No choice control of this project offers the label '{label}'.",
        "es": "Ningún control de opción única de este proyecto ofrece la etiqueta '{label}'.",
    },
    "review_filter_label_required": {
        "en": "'control' narrows the 'label' filter; give 'label' too.",
        "es": "'control' acota el filtro 'label'; indique también 'label'.",
    },
    "undo_reviewed": {
        "en": "Annotation {annotation_id} has been reviewed; it can no longer be undone.",
        "es": "La anotación {annotation_id} ya fue revisada; ya no se puede deshacer.",
    },
}
