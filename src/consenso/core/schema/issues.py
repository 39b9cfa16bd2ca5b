"""Issues: one problem in a schema or a result, with a stable code, a path and message parameters."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Final, TypeGuard

from consenso.core.messages import DEFAULT_LANGUAGE, translate

_SHOWN_CHARS: Final = 80  # user text echoed in a message is cut here, so a huge value stays a short error


@dataclasses.dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a schema or a result.

    ``code`` is a stable snake_case key of ``consenso.core.messages``; ``path`` locates the offending
    value (``controls[0].labels[2].hotkey``, ``entities[1].end``); ``params`` fill the message and are
    returned to clients as they are, so they hold only JSON scalars.
    """

    code: str
    path: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict, hash=False)

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The human message; ``path`` is offered to the template besides ``params``."""
        return translate(self.code, lang, path=self.path, **self.params)

    def to_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, object]:
        """``{"code", "path", "message", **params}``: the shape of one entry of an error's ``details``."""
        return {"code": self.code, "path": self.path, "message": self.message(lang), **self.params}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Issue:
        """Rebuild an issue from ``to_dict`` output (to render it again in another language)."""
        params = {k: v for k, v in data.items() if k not in ("code", "path", "message")}
        return cls(str(data.get("code", "")), str(data.get("path", "")), params)


def localize_details(details: Sequence[Mapping[str, object]], lang: str) -> list[dict[str, object]]:
    """Re-render the ``details`` of ``SchemaInvalid``/``ResultInvalid`` (built in English) in ``lang``."""
    return [Issue.from_dict(entry).to_dict(lang) for entry in details]


# ---------------------------------------------------------------------------------------------------
# Helpers shared by the parsers and the result checks


def _shown(text: str) -> str:
    """User text cut to a length that fits in a message."""
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _key_text(key: object) -> str:
    """A key as it appears in a path (JSON keys are strings; anything else is named by its type)."""
    return _shown(key) if isinstance(key, str) else f"<{type(key).__name__}>"


def _int_param(value: int) -> int | str:
    """An integer echoed in a message; beyond 64 bits neither JSON encoders nor ``str`` cope well."""
    return value if -(2**63) <= value < 2**63 else "<too large>"


def _echo(value: object) -> object:
    """A user value repeated in a message, kept short and JSON-encodable."""
    if isinstance(value, str):
        return _shown(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return _int_param(value)
    return f"<{type(value).__name__}>"


def _join(path: str, key: object) -> str:
    text = _key_text(key)
    return f"{path}.{text}" if path else text


def _is_int(value: object) -> TypeGuard[int]:
    """JSON integers only: ``True`` is an ``int`` in Python but never a valid count or offset."""
    return isinstance(value, int) and not isinstance(value, bool)
