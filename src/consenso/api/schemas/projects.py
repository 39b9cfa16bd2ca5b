from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from consenso.api.schemas import Read, Strict
from consenso.api.schemas.pii import PII_POLICY_INPUT, PiiPolicyRead
from consenso.api.schemas.qa import QA_SETTINGS_INPUT, QaSettingsRead


class Guidelines(Strict):
    en: str = Field(default="", max_length=200_000)
    es: str = Field(default="", max_length=200_000)


class ProjectCreate(Strict):
    workspace_id: int
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    label_schema: dict[str, Any] = Field(alias="schema", description='Label schema v1: {"controls": [...]}')
    overlap: int = Field(default=1, ge=1, le=100, description="Independent annotations wanted per task")
    lease_seconds: int = Field(
        default=3600, ge=10, le=7 * 24 * 3600, description="How long a served task is held"
    )
    guidelines: Guidelines | None = None
    qa: dict[str, Any] | None = Field(default=None, description=QA_SETTINGS_INPUT)
    pii: dict[str, Any] | None = Field(default=None, description=PII_POLICY_INPUT)


class ProjectUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    label_schema: dict[str, Any] | None = Field(default=None, alias="schema")
    overlap: int | None = Field(default=None, ge=1, le=100)
    lease_seconds: int | None = Field(default=None, ge=10, le=7 * 24 * 3600)
    guidelines: Guidelines | None = None
    qa: dict[str, Any] | None = Field(default=None, description=QA_SETTINGS_INPUT)
    pii: dict[str, Any] | None = Field(default=None, description=PII_POLICY_INPUT)


class ProjectRead(Read):
    id: int
    workspace_id: int
    name: str
    description: str
    overlap: int
    lease_seconds: int
    label_schema: dict[str, Any] = Field(serialization_alias="schema")
    schema_version: int
    guidelines: dict[str, Any]
    guideline_version: int | None
    task_count: int
    role: str = Field(description="The caller's role in the project's workspace")
    created_at: datetime
    updated_at: datetime
    qa: QaSettingsRead | None = Field(
        description="The QA settings in force, for the roles that edit the project or review its work; null "
        "for annotators and viewers (the gold rate is not theirs to know)"
    )
    pii: PiiPolicyRead | None = Field(
        default=None,
        description="The PII policy applied at import, for the roles that edit the project or review its "
        "work; null when masking is off or for annotators and viewers",
    )
