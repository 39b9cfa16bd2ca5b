"""PII masking: a project's policy and a task's revealed original."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from consenso.api.schemas import Read

PII_POLICY_INPUT = (
    "PII masking at import (the fields given change; the others keep their values): `enabled` (boolean) and "
    "`entities`, a map from entity type (email, phone, card, iban, us_ssn, co_cedula, co_nit) to a strategy "
    "(`remove`, `tag` as in `[EMAIL]`, `partial` as in a card's first 6 / last 4, `pseudonym` as in "
    "`EMAIL_1`, consistent within a task); sending `entities` replaces the whole map, and a type left out "
    "is not masked. `{}` turns masking on with every type (cards `partial`, the rest `tag`). Applies to "
    "the imports that follow, not to tasks already imported. A bad value is 422 naming the field. Card "
    "security codes and track data are refused at import in every project."
)


class PiiPolicyRead(Read):
    enabled: bool
    entities: dict[str, str] = Field(description="Entity type -> masking strategy")


class PiiOriginalRead(Read):
    task_id: int
    project_id: int
    data: dict[str, Any] = Field(description="The task's data as imported, before masking")
    meta: dict[str, Any] = Field(description="The task's meta as imported, before masking")
    findings: list[dict[str, Any]] = Field(
        description="What was masked: `in` (data or meta), `path` (a JSON pointer), `type`, `start`, `end` "
        "(character offsets in the original string) and `strategy`"
    )
    key_id: str = Field(description="The key the original is sealed under")
    sealed_at: datetime
