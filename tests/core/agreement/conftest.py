"""Loads the published worked examples from ``shared/data/agreement`` beside the repository.

The examples must not be copied into this repository (their provider forbids it); CI places the folder
next to the checkout. A missing folder fails the tests rather than skipping them, so a green run always
means the metrics were checked against the published numbers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

AGREEMENT_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "agreement"


def tolerance(example: dict[str, Any]) -> float:
    """Half a unit in the last stated decimal: the value must round to the published figure."""
    return 0.5 * 10.0 ** -int(example["expected_decimals"]) + 1e-12


@pytest.fixture(scope="session")
def agreement_data_dir() -> Path:
    if not AGREEMENT_DATA.is_dir():
        pytest.fail(
            f"published agreement examples not found at {AGREEMENT_DATA}; "
            "place the shared/data/agreement folder next to the repository checkout",
            pytrace=False,
        )
    return AGREEMENT_DATA


@pytest.fixture(scope="session")
def published(agreement_data_dir: Path) -> Callable[[str], dict[str, Any]]:
    """Return a loader: ``published("fleiss_wikipedia_10x14x5")`` gives that example's JSON."""

    def load(example_id: str) -> dict[str, Any]:
        path = agreement_data_dir / f"{example_id}.json"
        if not path.is_file():
            pytest.fail(f"published agreement example {example_id!r} missing: {path}", pytrace=False)
        example: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        assert example["id"] == example_id
        return example

    return load
