"""Label schemas of the browser tests."""

from __future__ import annotations

from typing import Any

SENTIMENT: dict[str, Any] = {
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "field": "text",
            "title": {"en": "Sentiment", "es": "Sentimiento"},
            "labels": [
                {"value": "positive", "names": {"en": "Positive", "es": "Positivo"}, "hotkey": "1"},
                {"value": "negative", "names": {"en": "Negative", "es": "Negativo"}, "hotkey": "2"},
                {"value": "neutral", "names": {"en": "Neutral", "es": "Neutral"}, "hotkey": "3"},
            ],
        },
        {
            "name": "comment",
            "type": "text",
            "field": "text",
            "title": {"en": "Comment (optional)", "es": "Comentario (opcional)"},
            "max_length": 200,
        },
    ]
}
SENTIMENT_KEYS = {"positive": "1", "negative": "2", "neutral": "3"}

# Every kind of control this screen shows: letter hotkeys from the schema, digits given by the app to
# labels without one, and a rating reached with Tab and set with the arrow keys (its digits are taken).
REVIEW: dict[str, Any] = {
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "field": "text",
            "title": {"en": "Sentiment", "es": "Sentimiento"},
            "labels": [
                {"value": "positive", "names": {"en": "Positive", "es": "Positivo"}, "hotkey": "p"},
                {"value": "negative", "names": {"en": "Negative", "es": "Negativo"}, "hotkey": "n"},
            ],
        },
        {
            "name": "topics",
            "type": "multi_choice",
            "field": "text",
            "title": {"en": "Topics", "es": "Temas"},
            "labels": [
                {"value": "price", "names": {"en": "Price", "es": "Precio"}},
                {"value": "delivery", "names": {"en": "Delivery", "es": "Envío"}},
                {"value": "quality", "names": {"en": "Quality", "es": "Calidad"}},
            ],
            "min": 1,
        },
        {
            "name": "confidence",
            "type": "rating",
            "field": "text",
            "title": {"en": "Confidence", "es": "Confianza"},
            "min": 1,
            "max": 5,
        },
        {
            "name": "note",
            "type": "text",
            "field": "text",
            "title": {"en": "Note", "es": "Nota"},
            "required": False,
        },
    ]
}

# Entities over the task's text: letter hotkeys from the schema; overlaps refused (the default)
ENTITIES: dict[str, Any] = {
    "controls": [
        {
            "name": "entities",
            "type": "spans",
            "field": "text",
            "title": {"en": "Entities", "es": "Entidades"},
            "labels": [
                {"value": "PER", "names": {"en": "Person", "es": "Persona"}, "hotkey": "p"},
                {"value": "ORG", "names": {"en": "Organisation", "es": "Organización"}, "hotkey": "o"},
                {"value": "LOC", "names": {"en": "Place", "es": "Lugar"}, "hotkey": "l"},
            ],
        }
    ]
}
ENTITIES_OVERLAPPING: dict[str, Any] = {
    "controls": [{**ENTITIES["controls"][0], "allow_overlap": True, "required": True}]
}
