"""ASGI entry point for ``consenso serve`` (and any ASGI server): settings from the environment."""

from __future__ import annotations

import sys

from fastapi import FastAPI

from consenso.api.app import create_app
from consenso.settings import load_settings


def app_from_environment() -> FastAPI:
    # Worker threads queue on the database's write lock; a shorter GIL switch interval hands the GIL
    # back to the lock holder sooner (CPython's default of 5 ms made a convoy under 32 annotators).
    sys.setswitchinterval(0.0005)
    return create_app(load_settings())
