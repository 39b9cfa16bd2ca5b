"""Limits on JSON values that come from outside: what Consenso can store and hash, checked where it enters.

JSON puts no bound on an integer, and Python reads one of any length (up to its 4,300-digit conversion limit)
into an ``int``; a JSON string may spell half of a UTF-16 surrogate pair (``"\\ud800"``), which Python keeps
as a lone surrogate. Consenso stores and hashes JSON with orjson, which holds integers to 64 bits and strings
only as valid UTF-8 (and so does PostgreSQL), so either value would fail later, deep in a use case, as a
server error. Request bodies are checked on entry instead (``consenso.api.schemas.Strict``); the task
importer refuses such a line (``import_bad_json``).

The integer rule is the signed 64-bit range on both sides: orjson would also write unsigned values up to
2**64 - 1, but one symmetric range is simpler to state and to meet.
"""

from __future__ import annotations

from typing import Any, Final, Literal

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1

Unfit = Literal["int64_range", "lone_surrogate"]


def _lone_surrogate(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def first_unfit(value: Any) -> tuple[str, Unfit] | None:
    """A value inside ``value`` that JSON storage cannot hold: where it sits (``"a.b[2]"``, ``""`` for
    ``value`` itself) and why (an integer beyond the signed 64-bit range, or a string or key holding a lone
    surrogate); None when all of it fits. Iterative: input may nest deep."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if _lone_surrogate(item):
                return path, "lone_surrogate"
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                return path, "int64_range"
        elif isinstance(item, dict):
            for key, child in item.items():
                where = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and _lone_surrogate(key):
                    return where.encode("utf-8", "backslashreplace").decode(), "lone_surrogate"
                stack.append((child, where))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(item))
    return None
