"""Loads the real crowdsourced label sets from ``shared/data/crowd`` beside the repository.

The sets must not be copied into this repository (several carry research-only terms); CI places the
folder next to the checkout. A missing folder fails the tests rather than skipping them, so a green run
always means the aggregators were checked against the real data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

CROWD_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "crowd"


def load_crowd_set(name: str) -> tuple[pd.DataFrame, pd.Series]:
    """The answers (columns item, annotator, label; all strings) and the truth (item → label string)."""
    folder = CROWD_DATA / name
    if not (folder / "answers.csv").is_file() or not (folder / "truth.csv").is_file():
        pytest.fail(
            f"crowd data set {name!r} not found at {folder}; "
            "place the shared/data/crowd folder next to the repository checkout"
        )
    answers = pd.read_csv(folder / "answers.csv", dtype=str).rename(columns={"worker": "annotator"})
    truth = pd.read_csv(folder / "truth.csv", dtype=str).set_index("item")["truth"]
    return answers, truth


def accuracy(predicted: pd.Series, truth: pd.Series) -> float:
    """Share of the items that have both a prediction and a truth on which the two agree (as strings)."""
    scored = truth[truth.index.isin(predicted.index)]
    if scored.empty:
        pytest.fail("no item with ground truth was aggregated")
    return float((predicted.reindex(scored.index).astype(str) == scored).mean())
