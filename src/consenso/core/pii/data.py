"""Walking a task's ``data`` JSON: every string at any depth, keys untouched, without recursion.

A value's place is a :data:`JsonPath` (the keys and list indices leading to it), shown as an RFC 6901 JSON
pointer (``/messages/0/text``). Integers of 6 digits or more are visited too, as their decimal text: a card
or phone number stored as a JSON number is still one; a masked integer becomes a string.

>>> list(walk_strings({"title": "hola", "n": [1, {"tel": 3001234567}], "ok": True}))
[(('title',), 'title', 'hola'), (('n', 1, 'tel'), 'tel', '3001234567')]
>>> pointer(("messages", 0, "a/b"))
'/messages/0/a~1b'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Final

JsonPath = tuple[str | int, ...]

#: Integers below this have fewer digits than the shortest entity (a 6-digit cédula); they are skipped.
_SMALLEST_NUMBER: Final = 100_000


def pointer(path: JsonPath) -> str:
    """The RFC 6901 JSON pointer of ``path`` (``~`` and ``/`` escaped as ``~0`` and ``~1``)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _scannable(value: Any, smallest: int = _SMALLEST_NUMBER) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= smallest:
        return str(value)
    return None


def walk_strings(
    data: Any, *, smallest_number: int = _SMALLEST_NUMBER
) -> Iterator[tuple[JsonPath, str, str]]:
    """``(path, field, text)`` for every string (and integer from ``smallest_number`` up) in ``data``, in
    document order.

    ``field`` is the nearest enclosing object key ("" at the top), which recognizers use as context."""
    stack: list[tuple[Any, JsonPath, str]] = [(data, (), "")]
    while stack:
        value, path, field = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, (*path, k), str(k)) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((v, (*path, i), field) for i, v in reversed(list(enumerate(value))))
        else:
            text = _scannable(value, smallest_number)
            if text is not None:
                yield path, field, text


def map_strings(data: Any, replace: Callable[[JsonPath, str, str], str | None]) -> Any:
    """A copy of ``data`` where every string (and long integer) ``text`` at ``path`` becomes
    ``replace(path, field, text)``, or stays as it was when that returns None. Called in document order;
    keys, other scalars and the shape are kept."""
    root: list[Any] = [None]
    # (value, container to fill, slot in it, path, field)
    stack: list[tuple[Any, Any, Any, JsonPath, str]] = [(data, root, 0, (), "")]
    while stack:
        value, parent, slot, path, field = stack.pop()
        if isinstance(value, dict):
            copy: dict[Any, Any] = dict.fromkeys(value)
            parent[slot] = copy
            stack.extend((v, copy, k, (*path, k), str(k)) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            items: list[Any] = [None] * len(value)
            parent[slot] = items
            stack.extend((v, items, i, (*path, i), field) for i, v in reversed(list(enumerate(value))))
        else:
            text = _scannable(value)
            new = None if text is None else replace(path, field, text)
            parent[slot] = value if new is None else new
    return root[0]
