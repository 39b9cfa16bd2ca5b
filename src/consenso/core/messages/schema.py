"""Messages of label-schema and annotation-result validation (filled in by core/schema.py's author)."""

MESSAGES: dict[str, dict[str, str]] = {}
