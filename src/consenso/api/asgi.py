"""ASGI entry point for ``consenso serve`` (and any ASGI server): settings from the environment."""

from __future__ import annotations

from fastapi import FastAPI

from consenso.api.app import create_app
from consenso.settings import load_settings


def app_from_environment() -> FastAPI:
    return create_app(load_settings())
