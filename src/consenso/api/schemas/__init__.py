"""Request and response models: <Res>Create / <Res>Update / <Res>Read. Unknown fields are refused."""

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from consenso.core.json_limits import first_unfit

_UNFIT = {
    "int64_range": "integer at {path} is beyond the signed 64-bit range",
    "lone_surrogate": "text at {path} holds a lone UTF-16 surrogate, which is not valid Unicode text",
}


class Strict(BaseModel):
    """Base of request bodies: unknown fields are an error (they are usually typos), and so is a value that
    JSON storage cannot hold anywhere in the body, free-form fields included: an integer beyond 64 bits, a
    lone surrogate (see ``consenso.core.json_limits``)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable_json(cls, data: Any) -> Any:
        unfit = first_unfit(data)
        if unfit is not None:
            path, reason = unfit
            shown = path[:200] + "…" if len(path) > 200 else path
            raise PydanticCustomError(reason, _UNFIT[reason], {"path": shown or "body"})
        return data


class Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)
