"""Messages of label-schema and annotation-result validation (``consenso.core.schema``).

Every message may use ``{path}`` (where the problem is, e.g. ``controls[0].labels[2].hotkey``) besides the
params of its issue; messages of generic codes name the path, the others the control and label.
"""

MESSAGES: dict[str, dict[str, str]] = {
    # the errors that carry the issues
    "schema_invalid": {
        "en": "The label schema is not valid: {count} problem(s).",
        "es": "El esquema de etiquetas no es válido: {count} problema(s).",
    },
    "result_invalid": {
        "en": "The annotation does not fit the label schema: {count} problem(s).",
        "es": "La anotación no se ajusta al esquema de etiquetas: {count} problema(s).",
    },
    # generic shape problems, in a schema or in a result
    "not_an_object": {"en": "'{path}' must be a JSON object.", "es": "'{path}' debe ser un objeto JSON."},
    "not_a_list": {"en": "'{path}' must be a list.", "es": "'{path}' debe ser una lista."},
    "not_a_string": {"en": "'{path}' must be a string.", "es": "'{path}' debe ser una cadena de texto."},
    "not_a_boolean": {
        "en": "'{path}' must be true or false.",
        "es": "'{path}' debe ser true o false.",
    },
    "not_an_integer": {"en": "'{path}' must be an integer.", "es": "'{path}' debe ser un número entero."},
    "missing_key": {"en": "'{path}' is missing.", "es": "Falta '{path}'."},
    "unknown_key": {
        "en": "Unknown key '{path}' (is it misspelled?).",
        "es": "Clave desconocida '{path}' (¿está mal escrita?).",
    },
    "out_of_range": {
        "en": "'{path}' is {value}; it must be between {low} and {high}.",
        "es": "'{path}' vale {value}; debe estar entre {low} y {high}.",
    },
    "empty_text": {
        "en": "'{path}' must not be empty.",
        "es": "'{path}' no puede estar vacío.",
    },
    "unknown_language": {
        "en": "Unknown language '{path}'; use {languages}.",
        "es": "Idioma desconocido '{path}'; use {languages}.",
    },
    # the schema
    "schema_not_object": {
        "en": "A label schema must be a JSON object with a 'controls' list.",
        "es": "Un esquema de etiquetas debe ser un objeto JSON con una lista 'controls'.",
    },
    "unsupported_version": {
        "en": "Schema version {version} is not supported; use {supported}.",
        "es": "La versión de esquema {version} no se admite; use {supported}.",
    },
    "no_controls": {
        "en": "The schema needs at least one control.",
        "es": "El esquema necesita al menos un control.",
    },
    "too_many_controls": {
        "en": "The schema has {count} controls; the limit is {limit}.",
        "es": "El esquema tiene {count} controles; el límite es {limit}.",
    },
    "invalid_control_name": {
        "en": "Control name '{control}' is not valid: use a letter, then up to 63 letters, digits or '_'.",
        "es": "El nombre de control '{control}' no es válido: use una letra seguida de hasta 63 letras, "
        "dígitos o '_'.",
    },
    "duplicate_control": {
        "en": "Two controls are named '{control}' (the first is controls[{first_index}]).",
        "es": "Dos controles se llaman '{control}' (el primero es controls[{first_index}]).",
    },
    "unknown_control_type": {
        "en": "Control '{control}' has the unknown type '{type}'; use one of: {known}.",
        "es": "El control '{control}' tiene el tipo desconocido '{type}'; use uno de: {known}.",
    },
    "invalid_field": {
        "en": "The field of control '{control}' must be a task-data key of 1 to {limit} characters.",
        "es": "El campo del control '{control}' debe ser una clave de los datos de la tarea de 1 a {limit} "
        "caracteres.",
    },
    "no_labels": {
        "en": "Control '{control}' needs at least one label.",
        "es": "El control '{control}' necesita al menos una etiqueta.",
    },
    "too_many_labels": {
        "en": "Control '{control}' has {count} labels; the limit is {limit}.",
        "es": "El control '{control}' tiene {count} etiquetas; el límite es {limit}.",
    },
    "invalid_label_value": {
        "en": "A label value of control '{control}' must have 1 to {limit} characters, not all blank.",
        "es": "El valor de una etiqueta del control '{control}' debe tener de 1 a {limit} caracteres, no "
        "todos en blanco.",
    },
    "duplicate_label": {
        "en": "Control '{control}' has the label '{label}' twice (first at labels[{first_index}]).",
        "es": "El control '{control}' repite la etiqueta '{label}' (primero en labels[{first_index}]).",
    },
    "invalid_hotkey": {
        "en": "Hotkey '{hotkey}' of label '{label}' in control '{control}' must be one printable, non-space "
        "character.",
        "es": "La tecla rápida '{hotkey}' de la etiqueta '{label}' del control '{control}' debe ser un solo "
        "carácter imprimible que no sea un espacio.",
    },
    "duplicate_hotkey": {
        "en": "Hotkey '{hotkey}' of label '{label}' in control '{control}' is already bound to label "
        "'{other_label}' of control '{other_control}' (hotkeys are global and ignore case).",
        "es": "La tecla rápida '{hotkey}' de la etiqueta '{label}' del control '{control}' ya está "
        "asignada a la etiqueta '{other_label}' del control '{other_control}' (las teclas rápidas son "
        "globales y no distinguen mayúsculas).",
    },
    "invalid_color": {
        "en": "Color '{color}' of label '{label}' in control '{control}' must look like #RRGGBB.",
        "es": "El color '{color}' de la etiqueta '{label}' del control '{control}' debe ser #RRGGBB.",
    },
    "max_below_min": {
        "en": "Control '{control}': 'max' ({max}) must not be below 'min' ({min}).",
        "es": "Control '{control}': 'max' ({max}) no puede ser menor que 'min' ({min}).",
    },
    "max_not_above_min": {
        "en": "Control '{control}': 'max' ({max}) must be greater than 'min' ({min}).",
        "es": "Control '{control}': 'max' ({max}) debe ser mayor que 'min' ({min}).",
    },
    "rating_range_too_large": {
        "en": "Control '{control}': the rating range {min}..{max} is too wide; 'max' - 'min' may be at most "
        "{limit}.",
        "es": "Control '{control}': el rango de valoración {min}..{max} es demasiado amplio; 'max' - 'min' "
        "puede ser como mucho {limit}.",
    },
    # the result
    "result_not_object": {
        "en": "An annotation result must be a JSON object keyed by control name.",
        "es": "El resultado de una anotación debe ser un objeto JSON cuyas claves sean nombres de controles.",
    },
    "unknown_control": {
        "en": "The schema has no control named '{control}'.",
        "es": "El esquema no tiene ningún control llamado '{control}'.",
    },
    "missing_answer": {
        "en": "Control '{control}' is required but has no answer.",
        "es": "El control '{control}' es obligatorio, pero no tiene respuesta.",
    },
    "empty_answer": {
        "en": "Control '{control}' is required: its answer must not be empty.",
        "es": "El control '{control}' es obligatorio: su respuesta no puede estar vacía.",
    },
    "unknown_label": {
        "en": "'{label}' is not a label of control '{control}'.",
        "es": "'{label}' no es una etiqueta del control '{control}'.",
    },
    "duplicate_choice": {
        "en": "Control '{control}': '{label}' is chosen twice (at {first_index} and {index}).",
        "es": "Control '{control}': '{label}' se eligió dos veces (en {first_index} y {index}).",
    },
    "too_few_choices": {
        "en": "Control '{control}': {count} label(s) chosen; choose at least {min}.",
        "es": "Control '{control}': se eligieron {count} etiqueta(s); elija al menos {min}.",
    },
    "too_many_choices": {
        "en": "Control '{control}': {count} label(s) chosen; choose at most {max}.",
        "es": "Control '{control}': se eligieron {count} etiqueta(s); elija como máximo {max}.",
    },
    "missing_task_field": {
        "en": "Control '{control}' needs the text in '{field}', but the task has no such field.",
        "es": "El control '{control}' necesita el texto de '{field}', pero la tarea no tiene ese campo.",
    },
    "task_field_not_text": {
        "en": "Control '{control}' needs the text in '{field}', but that field is not a string.",
        "es": "El control '{control}' necesita el texto de '{field}', pero ese campo no es una cadena.",
    },
    "offset_out_of_range": {
        "en": "Control '{control}': offset {offset} of span [{start}, {end}) is outside the text "
        "(0 to {length} characters).",
        "es": "Control '{control}': el desplazamiento {offset} del fragmento [{start}, {end}) está fuera del "
        "texto (de 0 a {length} caracteres).",
    },
    "span_end_not_after_start": {
        "en": "Control '{control}': a span must end after it starts, but it runs from {start} to {end}.",
        "es": "Control '{control}': un fragmento debe terminar después de su inicio; va de {start} a {end}.",
    },
    "duplicate_span": {
        "en": "Control '{control}': span [{start}, {end}) '{label}' is given twice (first at {first_index}).",
        "es": "Control '{control}': el fragmento [{start}, {end}) '{label}' aparece dos veces (primero en "
        "{first_index}).",
    },
    "overlapping_spans": {
        "en": "Control '{control}': span [{start}, {end}) overlaps span [{other_start}, {other_end}) "
        "(at {other_index}); this control does not allow overlaps.",
        "es": "Control '{control}': el fragmento [{start}, {end}) se superpone con [{other_start}, "
        "{other_end}) (en {other_index}); este control no admite superposiciones.",
    },
    "span_text_mismatch": {
        "en": "Control '{control}': span [{start}, {end}) says its text is '{text}', but the task has "
        "'{expected}' there.",
        "es": "Control '{control}': el fragmento [{start}, {end}) dice que su texto es '{text}', pero la "
        "tarea tiene '{expected}' ahí.",
    },
    "rating_out_of_range": {
        "en": "Control '{control}': rating {value} is outside {min}..{max}.",
        "es": "Control '{control}': la valoración {value} está fuera de {min}..{max}.",
    },
    "text_too_long": {
        "en": "Control '{control}': the text has {length} characters; the limit is {max_length}.",
        "es": "Control '{control}': el texto tiene {length} caracteres; el límite es {max_length}.",
    },
}
