"""Assertions shared by the API v1 tests: the one error shape, and timestamps compared as instants.

Every test that expects a 4xx goes through ``assert_error``, so the error shape
``{"error": {"code", "message", "details"}}`` is checked on every error response the suite produces.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import httpx

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def assert_error_shape(body: Any) -> None:
    """``body`` is exactly ``{"error": {"code", "message", "details"}}`` with a snake_case code and a message."""
    assert isinstance(body, dict), body
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict), body
    assert set(error) == {"code", "message", "details"}, body
    assert isinstance(error["code"], str) and _SNAKE.match(error["code"]), body
    assert isinstance(error["message"], str) and error["message"].strip(), body


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is ``status`` with error ``code`` in the one error shape; returns the ``error`` object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert_error_shape(body)
    assert body["error"]["code"] == code, body
    error: dict[str, Any] = body["error"]
    return error


class When:
    """Equal to an ISO-8601 string naming the same instant as ``expected`` (JSON has no datetime type)."""

    def __init__(self, expected: datetime) -> None:
        assert expected.tzinfo is not None, "compare aware datetimes only"
        self.expected = expected

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        try:
            parsed = datetime.fromisoformat(other)
        except ValueError:
            return False
        return parsed.tzinfo is not None and parsed == self.expected

    def __hash__(self) -> int:
        return hash(self.expected)

    def __repr__(self) -> str:
        return f"When({self.expected.isoformat()})"
