"""The one router of API v1. Every module registers its routes here.

FastAPI matches included routers one wrapper at a time; registering all v1 routes on a single router
keeps route matching flat and cheap on the hot path.
"""

from fastapi import APIRouter

from consenso.api.schemas.common import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
