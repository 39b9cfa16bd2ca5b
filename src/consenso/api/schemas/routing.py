from __future__ import annotations

from pydantic import Field

from consenso.api.schemas import Read, Strict


class RequirementsRead(Read):
    language: str | None = Field(description="ISO 639 code such as `es`; null: any language")
    dialect: str | None = Field(description="A dialect tag such as `es-CO`; null: any dialect")
    domain: str | None = Field(description="A domain such as `medical`; null: any domain")


class RequirementsUpdate(Strict):
    language: str | None = Field(default=None, max_length=64, description="ISO 639 code such as `es`")
    dialect: str | None = Field(
        default=None, max_length=64, description="A tag of the language such as `es-CO` (implies it)"
    )
    domain: str | None = Field(
        default=None, max_length=64, description="A lowercase word such as `medical`, `legal`, `finance`"
    )


class TaskRequirementsRead(Read):
    task_id: int
    project_id: int
    requirements: RequirementsRead


class RoutingRowRead(Read):
    requirements: RequirementsRead = Field(description="One combination; all null: open to everyone")
    tasks: int = Field(description="Non-gold tasks with these requirements")
    open_tasks: int = Field(
        description="Of them, tasks with a free slot (fewer annotations + leases than overlap)"
    )
    qualified_annotators: int = Field(
        description="Active members whose role may annotate, not paused from the project, whose skills meet "
        "these requirements at the project's min_language_level"
    )
    unstaffed: bool = Field(description="Open tasks and nobody qualified: a manager must act")
    qualified_user_ids: list[int] | None = Field(
        description="The qualified members' user ids, ascending, at most 100; null for roles that do not "
        "manage members"
    )


class RoutingRead(Read):
    project_id: int
    min_language_level: str = Field(description="The level a member needs in a task's language (QA settings)")
    annotators: int = Field(description="Members who may annotate and are not paused from the project")
    paused_annotators: int = Field(description="Members who may annotate but are paused from the project")
    rows: list[RoutingRowRead] = Field(description="Unstaffed rows first, then by open tasks, most first")
