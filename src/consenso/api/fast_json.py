"""Direct JSON responses for the annotator hot path.

FastAPI turns a returned object into a dict, validates it against the response model and dumps it again;
on ``next`` and ``submit`` that costs more than the database work. These routes build the JSON with orjson
from the service's dataclass instead; the response model stays declared for the OpenAPI document and the
API tests pin that both shapes agree.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import orjson
from fastapi.responses import Response


def _default(value: Any) -> Any:
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dataclass_dict(obj: Any) -> dict[str, Any]:
    """Shallow field dict of a dataclass (no deep copy, unlike dataclasses.asdict)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def json_response(status: int, content: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    body = orjson.dumps(content, default=_default, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC)
    return Response(content=body, status_code=status, media_type="application/json", headers=headers)


__all__ = ["dataclass_dict", "json_response"]
