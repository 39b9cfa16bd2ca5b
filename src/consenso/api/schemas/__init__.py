"""Request and response models: <Res>Create / <Res>Update / <Res>Read. Unknown fields are refused."""

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base of request bodies: unknown fields are an error (they are usually typos)."""

    model_config = ConfigDict(extra="forbid")


class Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)
