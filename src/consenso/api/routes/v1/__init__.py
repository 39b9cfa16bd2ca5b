"""API v1: importing the modules registers their routes on the shared router."""

from consenso.api.routes.v1 import (
    annotations,
    auth,
    health,
    progress,
    projects,
    quality,
    reviews,
    tasks,
    tokens,
    users,
    workspaces,
)
from consenso.api.routes.v1.router import router

__all__ = [
    "annotations",
    "auth",
    "health",
    "progress",
    "projects",
    "quality",
    "reviews",
    "router",
    "tasks",
    "tokens",
    "users",
    "workspaces",
]
