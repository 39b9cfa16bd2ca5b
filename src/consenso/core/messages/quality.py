"""Messages of the quality report: why a figure is undefined, the aggregation error, the CLI tables."""

MESSAGES: dict[str, dict[str, str]] = {
    "unknown_aggregation_method": {
        "en": "Aggregation method '{method}' does not exist; use one of: {supported}.",
        "es": "El método de agregación '{method}' no existe; use uno de: {supported}.",
    },
    # quality_reason_<code>: one per consenso.core.quality.Reason
    "quality_reason_no_annotations": {
        "en": "Nobody has answered this control yet.",
        "es": "Nadie ha respondido todavía a este control.",
    },
    "quality_reason_no_overlap": {
        "en": "No item has answers from two annotators, so there is nothing to compare.",
        "es": "Ningún elemento tiene respuestas de dos anotadores, así que no hay nada que comparar.",
    },
    "quality_reason_no_variation": {
        "en": "Every compared answer is the same, so chance-corrected agreement is undefined.",
        "es": "Todas las respuestas comparadas son iguales, así que el acuerdo corregido por azar no está definido.",
    },
    "quality_reason_unequal_raters": {
        "en": "Items have different numbers of answers; Fleiss' kappa needs the same number on every item "
        "(Krippendorff's alpha does not).",
        "es": "Los elementos tienen distinto número de respuestas; el kappa de Fleiss necesita el mismo número "
        "en cada elemento (el alfa de Krippendorff no).",
    },
    "quality_reason_label_unused": {
        "en": "Nobody chose this label on an item answered by two or more annotators.",
        "es": "Nadie eligió esta etiqueta en un elemento respondido por dos o más anotadores.",
    },
    "quality_reason_not_provided_by_method": {
        "en": "This aggregation method does not estimate annotator reliability.",
        "es": "Este método de agregación no estima la fiabilidad de los anotadores.",
    },
    "quality_reason_not_available_for_control_type": {
        "en": "Not available for this type of control yet.",
        "es": "Todavía no está disponible para este tipo de control.",
    },
    "quality_reason_free_text": {
        "en": "Free text has no agreement measure.",
        "es": "El texto libre no tiene medida de acuerdo.",
    },
    "quality_reason_undefined": {
        "en": "The statistic is undefined on these answers.",
        "es": "El estadístico no está definido con estas respuestas.",
    },
    "quality_reason_no_spans": {
        "en": "The vote kept no span, so there is no support to average.",
        "es": "La votación no conservó ningún fragmento, así que no hay apoyo que promediar.",
    },
    "quality_reason_method_substituted": {
        "en": "The chosen aggregation method does not apply to this type of control; it was aggregated with "
        "the method in method_used instead.",
        "es": "El método de agregación elegido no se aplica a este tipo de control; se agregó con el método "
        "indicado en method_used.",
    },
    # quality_short_<code>: the same, in a table cell
    "quality_short_no_annotations": {"en": "no answers", "es": "sin respuestas"},
    "quality_short_no_overlap": {"en": "no overlap", "es": "sin solapamiento"},
    "quality_short_no_variation": {"en": "no variation", "es": "sin variación"},
    "quality_short_unequal_raters": {"en": "unequal raters", "es": "anotadores desiguales"},
    "quality_short_label_unused": {"en": "unused", "es": "sin uso"},
    "quality_short_not_provided_by_method": {"en": "not estimated", "es": "no estimada"},
    "quality_short_not_available_for_control_type": {"en": "n/a", "es": "n/d"},
    "quality_short_free_text": {"en": "free text", "es": "texto libre"},
    "quality_short_undefined": {"en": "undefined", "es": "indefinido"},
    "quality_short_no_spans": {"en": "no spans", "es": "sin fragmentos"},
    "quality_short_method_substituted": {"en": "other method", "es": "otro método"},
    # the command line: `consenso quality`
    "cli_quality_header": {
        "en": "Project {project}: {annotations} annotations by {annotators} annotators; aggregation: {method}.",
        "es": "Proyecto {project}: {annotations} anotaciones de {annotators} anotadores; agregación: {method}.",
    },
    "cli_quality_control": {
        "en": "Control '{name}' ({type})",
        "es": "Control '{name}' ({type})",
    },
    "cli_quality_skipped": {
        "en": "Control '{name}' ({type}): {reason}",
        "es": "Control '{name}' ({type}): {reason}",
    },
    "cli_quality_col_figure": {"en": "Figure", "es": "Cifra"},
    "cli_quality_col_value": {"en": "Value", "es": "Valor"},
    "cli_quality_col_note": {"en": "Note", "es": "Nota"},
    "cli_quality_col_label": {"en": "Label", "es": "Etiqueta"},
    "cli_quality_col_count": {"en": "Count", "es": "Cantidad"},
    "cli_quality_col_annotator": {"en": "Annotator", "es": "Anotador"},
    "cli_quality_col_annotations": {"en": "Annotations", "es": "Anotaciones"},
    "cli_quality_col_agreement": {"en": "Agreement with aggregate", "es": "Acuerdo con el agregado"},
    "cli_quality_col_skill": {"en": "Skill", "es": "Habilidad"},
    "cli_quality_items": {"en": "Items answered", "es": "Elementos respondidos"},
    "cli_quality_items_compared": {
        "en": "Items with 2+ answers",
        "es": "Elementos con 2 o más respuestas",
    },
    "cli_quality_annotations": {"en": "Annotations", "es": "Anotaciones"},
    "cli_quality_ignored": {
        "en": "Ignored (do not fit the current schema)",
        "es": "Ignoradas (no encajan en el esquema actual)",
    },
    "cli_quality_percent": {"en": "Percent agreement", "es": "Acuerdo porcentual"},
    "cli_quality_alpha": {"en": "Krippendorff's alpha ({level})", "es": "Alfa de Krippendorff ({level})"},
    "cli_quality_kappa": {"en": "Fleiss' kappa", "es": "Kappa de Fleiss"},
    "cli_quality_f1_exact": {"en": "Span F1, exact", "es": "F1 de fragmentos, exacto"},
    "cli_quality_f1_overlap": {"en": "Span F1, overlap", "es": "F1 de fragmentos, solapamiento"},
    "cli_quality_aggregation": {"en": "Aggregation", "es": "Agregación"},
    "cli_quality_aggregated": {
        "en": "{method}: {items} items, mean confidence {confidence}, {low} below {threshold}",
        "es": "{method}: {items} elementos, confianza media {confidence}, {low} por debajo de {threshold}",
    },
    "cli_quality_aggregated_spans": {
        "en": "{method}: {items} items, {spans} spans, mean support {support}, {low} with a span below "
        "{threshold}",
        "es": "{method}: {items} elementos, {spans} fragmentos, apoyo medio {support}, {low} con un fragmento "
        "por debajo de {threshold}",
    },
    "cli_quality_method_substituted": {
        "en": "{asked} does not apply to {type} controls; {used} was used instead.",
        "es": "{asked} no se aplica a los controles {type}; se usó {used} en su lugar.",
    },
    "cli_quality_level_nominal": {"en": "nominal", "es": "nominal"},
    "cli_quality_level_ordinal": {"en": "ordinal", "es": "ordinal"},
    "cli_quality_more_annotators": {
        "en": "Showing {shown} of {total} annotators (the most productive first; --annotators N for more).",
        "es": "Se muestran {shown} de {total} anotadores (primero los más productivos; --annotators N para ver más).",
    },
    # annotator reliability (GET /projects/{id}/reliability, `consenso quality annotators`)
    "reliability_reason_no_answers": {
        "en": "The annotator has not answered this control on a task that is not a gold task.",
        "es": "El anotador no ha respondido a este control en ninguna tarea que no sea de control.",
    },
    "reliability_reason_too_many_labels": {
        "en": "The control has more than 30 labels: no confusion matrix is computed for it.",
        "es": "El control tiene más de 30 etiquetas: no se calcula su matriz de confusión.",
    },
    "cli_reliability_header": {
        "en": "Project {project}: {annotators} annotators. A gold answer is correct from a score of {pass_score}; "
        "intervals at {confidence} %.",
        "es": "Proyecto {project}: {annotators} anotadores. Una respuesta de control es correcta desde una "
        "puntuación de {pass_score}; intervalos al {confidence} %.",
    },
    "cli_reliability_empty": {
        "en": "Nobody has annotated a task of project {project} yet.",
        "es": "Nadie ha anotado todavía una tarea del proyecto {project}.",
    },
    "cli_reliability_title": {"en": "Annotator reliability", "es": "Fiabilidad de los anotadores"},
    "cli_reliability_col_name": {"en": "Name", "es": "Nombre"},
    "cli_reliability_col_gold": {"en": "Gold correct", "es": "Control correctas"},
    "cli_reliability_col_gold_accuracy": {
        "en": "Gold accuracy (95 % CI)",
        "es": "Precisión en control (IC 95 %)",
    },
    "cli_reliability_col_final": {
        "en": "Agreement with final (95 % CI)",
        "es": "Acuerdo con la final (IC 95 %)",
    },
    "cli_reliability_col_per_hour": {"en": "Per active hour", "es": "Por hora activa"},
    "cli_reliability_col_per_day": {"en": "Per day", "es": "Por día"},
    "cli_reliability_col_lead_median": {"en": "Median time (s)", "es": "Tiempo mediano (s)"},
    "cli_reliability_col_lead_p90": {"en": "p90 time (s)", "es": "Tiempo p90 (s)"},
    "cli_reliability_col_paused": {"en": "Paused", "es": "En pausa"},
    "cli_reliability_paused_since": {"en": "since {at}", "es": "desde {at}"},
    "cli_reliability_not_paused": {"en": "no", "es": "no"},
    "cli_reliability_agreement_title": {
        "en": "Agreement with final labels, per control: share (agreed/compared)",
        "es": "Acuerdo con las etiquetas finales, por control: proporción (coincidentes/comparadas)",
    },
    "cli_reliability_confusion_title": {
        "en": "Annotator {annotator}, control '{control}' ({answers} answers): Dawid-Skene confusion matrix, "
        "rows the true label, columns the answer",
        "es": "Anotador {annotator}, control '{control}' ({answers} respuestas): matriz de confusión de "
        "Dawid-Skene, filas la etiqueta verdadera, columnas la respuesta",
    },
    "cli_reliability_confusion_missing": {
        "en": "Annotator {annotator}, control '{control}': {reason}",
        "es": "Anotador {annotator}, control '{control}': {reason}",
    },
    "cli_reliability_col_true": {"en": "True \\ answer", "es": "Verdadera \\ respuesta"},
}
