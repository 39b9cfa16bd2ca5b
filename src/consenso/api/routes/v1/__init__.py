"""API v1 routers."""

from fastapi import APIRouter

from consenso.api.routes.v1 import annotations, auth, health, projects, tasks, tokens, users, workspaces

router = APIRouter(prefix="/api/v1")
for module in (health, auth, tokens, users, workspaces, projects, tasks, annotations):
    router.include_router(module.router)
