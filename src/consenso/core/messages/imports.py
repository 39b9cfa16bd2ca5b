"""Messages of task import (one bad record imports nothing; the message names its line and field)."""

MESSAGES: dict[str, dict[str, str]] = {
    "import_invalid": {
        "en": "{where}: {problem}. Nothing was imported.",
        "es": "{where}: {problem}. No se importó nada.",
    },
    "import_where_line": {"en": "Line {line}", "es": "Línea {line}"},
    "import_pii_card_security_code": {
        "en": "field '{field}' holds a card security code (CVV/CVC) at character {start}; Consenso never "
        "stores card security codes (PCI DSS 3.3): remove them and import again",
        "es": "el campo '{field}' contiene un código de seguridad de tarjeta (CVV/CVC) en el carácter {start}; "
        "Consenso nunca guarda códigos de seguridad de tarjetas (PCI DSS 3.3): elimínelos e importe de nuevo",
    },
    "import_pii_track_data": {
        "en": "field '{field}' holds magnetic-stripe track data at character {start}; Consenso never stores "
        "card track data (PCI DSS 3.3): remove it and import again",
        "es": "el campo '{field}' contiene datos de la banda magnética de una tarjeta en el carácter {start}; "
        "Consenso nunca guarda datos de banda magnética (PCI DSS 3.3): elimínelos e importe de nuevo",
    },
    "import_pii_spans_prelabel": {
        "en": "PII masking changed field '{field}', which a spans control labels, and the record carries a "
        "pre-label or a gold answer whose offsets point into the original text; import it without them, or "
        "mask the text before pre-labelling",
        "es": "el enmascaramiento de datos personales cambió el campo '{field}', que etiqueta un control de "
        "spans, y el registro trae una preetiqueta o una respuesta de oro cuyas posiciones apuntan al texto "
        "original; impórtelo sin ellas, o enmascare el texto antes de preetiquetar",
    },
    "import_where_item": {"en": "Item {item} of the JSON array", "es": "Elemento {item} del arreglo JSON"},
    "import_bad_json": {"en": "not valid JSON ({reason})", "es": "no es JSON válido ({reason})"},
    "import_not_object": {
        "en": "a task must be a JSON object with 'data' and optional 'meta', 'prediction', 'gold' and "
        "'requirements'",
        "es": "una tarea debe ser un objeto JSON con 'data' y, opcionales, 'meta', 'prediction', 'gold' y "
        "'requirements'",
    },
    "import_not_array": {
        "en": "a JSON body must be an array of tasks",
        "es": "un cuerpo JSON debe ser un arreglo de tareas",
    },
    "import_unknown_field": {
        "en": "unknown field '{field}' (a task has only 'data', 'meta', 'prediction', 'gold' and "
        "'requirements')",
        "es": "campo desconocido '{field}' (una tarea solo tiene 'data', 'meta', 'prediction', 'gold' y "
        "'requirements')",
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
    "import_prediction_not_object": {
        "en": "field 'prediction' must be a JSON object: "
        '{{"result": {{...}}, "model": "name", "score": 0.9}} (score optional)',
        "es": "el campo 'prediction' debe ser un objeto JSON: "
        '{{"result": {{...}}, "model": "nombre", "score": 0.9}} (score opcional)',
    },
    "import_prediction_unknown_field": {
        "en": "unknown field '{field}' (a prediction has only 'result', 'model' and 'score')",
        "es": "campo desconocido '{field}' (una predicción solo tiene 'result', 'model' y 'score')",
    },
    "import_prediction_missing_field": {
        "en": "field '{field}' is missing (a prediction needs 'result' and 'model')",
        "es": "falta el campo '{field}' (una predicción necesita 'result' y 'model')",
    },
    "import_prediction_bad_model": {
        "en": "field '{field}' must be the model's name, 1 to {limit} characters",
        "es": "el campo '{field}' debe ser el nombre del modelo, de 1 a {limit} caracteres",
    },
    "import_prediction_bad_score": {
        "en": "field '{field}' must be a number from 0 to 1, or null",
        "es": "el campo '{field}' debe ser un número de 0 a 1, o null",
    },
    "import_prediction_result": {
        "en": "field '{field}' does not fit the label schema ({count} problem(s)); the first: {issue}",
        "es": "el campo '{field}' no se ajusta al esquema de etiquetas ({count} problema(s)); el primero: {issue}",
    },
    "import_gold_not_object": {
        "en": "field '{field}' must be a JSON object: "
        '{{"result": {{...}}}} (the expected answer, keyed by control name like an annotation)',
        "es": "el campo '{field}' debe ser un objeto JSON: "
        '{{"result": {{...}}}} (la respuesta esperada, por nombre de control como una anotación)',
    },
    "import_gold_unknown_field": {
        "en": "unknown field '{field}' (a gold task's 'gold' has only 'result')",
        "es": "campo desconocido '{field}' (el 'gold' de una tarea de control solo tiene 'result')",
    },
    "import_gold_missing_result": {
        "en": "field '{field}' is missing (a gold task needs its expected result)",
        "es": "falta el campo '{field}' (una tarea de control necesita su resultado esperado)",
    },
    "import_gold_result": {
        "en": "field '{field}' does not fit the label schema ({count} problem(s)); the first: {issue}",
        "es": "el campo '{field}' no se ajusta al esquema de etiquetas ({count} problema(s)); el primero: {issue}",
    },
    "import_gold_unscored": {
        "en": "field '{field}' must give the expected answer of at least one control that can be scored "
        "(free text is not scored)",
        "es": "el campo '{field}' debe dar la respuesta esperada de al menos un control que se pueda puntuar "
        "(el texto libre no se puntúa)",
    },
    "import_requirement_invalid": {
        "en": "field '{field}' is not a valid requirement: a task's 'requirements' may hold a 'language' (an "
        "ISO 639 code such as 'es'), a 'dialect' (a tag of it such as 'es-CO') and a 'domain' (a lowercase "
        "word such as 'medical')",
        "es": "el campo '{field}' no es un requisito válido: los 'requirements' de una tarea pueden tener un "
        "'language' (un código ISO 639 como 'es'), un 'dialect' (una etiqueta suya como 'es-CO') y un "
        "'domain' (una palabra en minúsculas como 'medical')",
    },
    "import_empty": {
        "en": "the body holds no tasks",
        "es": "el cuerpo no contiene tareas",
    },
}
