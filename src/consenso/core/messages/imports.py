"""Messages of task import (one bad record imports nothing; the message names its line and field)."""

MESSAGES: dict[str, dict[str, str]] = {
    "import_invalid": {
        "en": "{where}: {problem}. Nothing was imported.",
        "es": "{where}: {problem}. No se importó nada.",
    },
    "import_where_line": {"en": "Line {line}", "es": "Línea {line}"},
    "import_where_item": {"en": "Item {item} of the JSON array", "es": "Elemento {item} del arreglo JSON"},
    "import_bad_json": {"en": "not valid JSON ({reason})", "es": "no es JSON válido ({reason})"},
    "import_not_object": {
        "en": "a task must be a JSON object with 'data' and optional 'meta'",
        "es": "una tarea debe ser un objeto JSON con 'data' y 'meta' opcional",
    },
    "import_not_array": {
        "en": "a JSON body must be an array of tasks",
        "es": "un cuerpo JSON debe ser un arreglo de tareas",
    },
    "import_unknown_field": {
        "en": "unknown field '{field}' (a task has only 'data' and 'meta')",
        "es": "campo desconocido '{field}' (una tarea solo tiene 'data' y 'meta')",
    },
    "import_field_not_object": {
        "en": "field '{field}' must be a JSON object",
        "es": "el campo '{field}' debe ser un objeto JSON",
    },
    "import_missing_field": {
        "en": "field '{field}' is missing (control '{control}' of the schema reads it)",
        "es": "falta el campo '{field}' (lo lee el control '{control}' del esquema)",
    },
    "import_missing_data": {
        "en": 'field \'data\' is missing (a task is {{"data": {{...}}, "meta": {{...}}}})',
        "es": 'falta el campo \'data\' (una tarea es {{"data": {{...}}, "meta": {{...}}}})',
    },
    "import_field_not_text": {
        "en": "field '{field}' must be a string (control '{control}' shows it as text)",
        "es": "el campo '{field}' debe ser una cadena (el control '{control}' lo muestra como texto)",
    },
    "import_csv_no_header": {
        "en": "a CSV import needs a header row naming the columns",
        "es": "una importación CSV necesita una fila de encabezado con los nombres de las columnas",
    },
    "import_csv_bad_row": {
        "en": "the row has {got} cells but the header has {expected}",
        "es": "la fila tiene {got} celdas pero el encabezado tiene {expected}",
    },
    "import_csv_duplicate_column": {
        "en": "column '{field}' appears twice in the header",
        "es": "la columna '{field}' aparece dos veces en el encabezado",
    },
    "import_bad_encoding": {
        "en": "not valid UTF-8 text",
        "es": "no es texto UTF-8 válido",
    },
    "import_too_deep": {
        "en": "field '{field}' is nested deeper than {limit} levels",
        "es": "el campo '{field}' está anidado a más de {limit} niveles",
    },
    "import_nul_character": {
        "en": "field '{field}' holds the NUL character (U+0000), which cannot be stored",
        "es": "el campo '{field}' contiene el carácter NUL (U+0000), que no se puede guardar",
    },
    "import_empty": {
        "en": "the body holds no tasks",
        "es": "el cuerpo no contiene tareas",
    },
}
