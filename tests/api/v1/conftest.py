"""Fixtures of the API v1 tests.

Password hashing uses argon2 with its production cost (tens of MiB, several passes) and the ``world``
fixture creates seven users per test, on two backends. The hashes these tests make use a cheap argon2
configuration instead: the same code path (``hash_password`` / ``verify_password``, parameters read back
from the hash), a fraction of the CPU. Nothing here asserts the cost parameters.
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from consenso.services import auth

_CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_hasher", _CHEAP)
