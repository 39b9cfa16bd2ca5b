"""API v1: importing the modules registers their routes on the shared router."""

from consenso.api.routes.v1 import (
    adjudication,
    annotations,
    audit,
    auth,
    gold,
    health,
    pauses,
    progress,
    projects,
    quality,
    reliability,
    reviews,
    routing,
    tasks,
    tokens,
    users,
    workspaces,
)
from consenso.api.routes.v1.router import router

__all__ = [
    "adjudication",
    "annotations",
    "audit",
    "auth",
    "gold",
    "health",
    "pauses",
    "progress",
    "projects",
    "quality",
    "reliability",
    "reviews",
    "router",
    "routing",
    "tasks",
    "tokens",
    "users",
    "workspaces",
]
