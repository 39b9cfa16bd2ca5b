from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from consenso.api.schemas import Read, Strict
from consenso.core.permissions import Role


class WorkspaceCreate(Strict):
    name: str = Field(min_length=1, max_length=200)


class WorkspaceRead(Read):
    id: int
    name: str
    role: str = Field(description="The caller's role in this workspace")
    created_at: datetime


class MemberCreate(Strict):
    user_id: int | None = None
    email: str | None = Field(default=None, max_length=320)
    role: Role


_LEVELS = ["A1", "A2", "B1", "B2", "C1", "C2", "native"]
_SKILLS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "languages": {
            "type": "array",
            "maxItems": 50,
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "pattern": "^[a-z]{2,3}$", "examples": ["es"]},
                    "dialect": {
                        "type": ["string", "null"],
                        "pattern": "^[a-z]{2,3}-[A-Za-z0-9]{2,8}$",
                        "examples": ["es-CO"],
                    },
                    "level": {"type": "string", "enum": _LEVELS},
                },
                "required": ["code", "level"],
                "additionalProperties": False,
            },
        },
        "domains": {
            "type": "array",
            "maxItems": 50,
            "items": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,63}$", "examples": ["medical"]},
        },
    },
    "additionalProperties": False,
}


class MemberUpdate(Strict):
    role: Role | None = Field(default=None, description="The new role; absent: keep it")
    skills: Annotated[Any, WithJsonSchema({"anyOf": [_SKILLS_SCHEMA, {"type": "null"}]})] = Field(
        default=None,
        description="Replace the member's skills (routing by language and domain): languages with an "
        "optional dialect of that language and a CEFR level or `native`, and domains. `{}` or null clears "
        "them; absent: keep them. Checked by the server (400 `skill_invalid` naming the field).",
    )


class LanguageSkillRead(Read):
    code: str = Field(description="ISO 639 language code, such as `es`")
    dialect: str | None = Field(description="A dialect tag of the language, such as `es-CO`")
    level: str = Field(description="A1, A2, B1, B2, C1, C2 or native")


class SkillsRead(Read):
    languages: list[LanguageSkillRead]
    domains: list[str]


class MemberRead(Read):
    id: int
    workspace_id: int
    user_id: int
    email: str
    name: str
    role: str
    created_at: datetime
    skills: SkillsRead | None = Field(
        description="Languages and domains the member is qualified for. Members who manage members see "
        "everyone's; any other member sees their own and null for the others"
    )
