"""Every metric against the published worked examples in ``shared/data/agreement``.

Each example states its data, the expected values, the number of decimals they are given to and the
source. A value passes when it rounds to the published figure (within half a unit of the last decimal).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from consenso.core.agreement import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)

from .conftest import tolerance

Published = Callable[[str], dict[str, Any]]

COVERED = {
    "cohen_sas_3x3_unweighted_and_linear",
    "cohen_wikipedia_grant_proposals",
    "cohen_wikipedia_same_po_different_kappa",
    "fleiss1971_diagnoses_30x6",
    "fleiss_wikipedia_10x14x5",
    "krippendorff2011_4obs_12units_missing",
    "krippendorff2011_binary_2obs_10units",
    "krippendorff_wikipedia_3coders_15units",
}


def labels_from_table(table: list[list[int]]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Expand a k × k contingency table (rows rater 1, columns rater 2) into two label arrays."""
    counts = np.asarray(table)
    k = counts.shape[0]
    rows, cols = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    return np.repeat(rows.ravel(), counts.ravel()), np.repeat(cols.ravel(), counts.ravel())


def counts_from_labels(labels: npt.NDArray[np.int_]) -> npt.NDArray[np.int_]:
    """Turn an items × raters label matrix into the items × categories count table."""
    categories = np.unique(labels)
    counts: npt.NDArray[np.int_] = (labels[:, :, None] == categories[None, None, :]).sum(axis=1)
    return counts


def test_every_published_example_is_covered(agreement_data_dir: Path) -> None:
    on_disk = {path.stem for path in agreement_data_dir.glob("*.json")}
    assert on_disk == COVERED, "a published example was added or removed: test it here"


# --- Fleiss ------------------------------------------------------------------------------------------


def test_fleiss_wikipedia_10_subjects_14_raters(published: Published) -> None:
    example = published("fleiss_wikipedia_10x14x5")
    expected, tol = example["expected"], tolerance(example)
    assert example["data_format"] == "subject_by_category_counts"
    assert fleiss_kappa(example["data"]) == pytest.approx(expected["fleiss_kappa"], abs=tol)
    # P̄ and P̄_e are not returned by the library; check the published pair is consistent with kappa.
    p_bar, p_e_bar = expected["P_bar"], expected["P_e_bar"]
    assert (p_bar - p_e_bar) / (1 - p_e_bar) == pytest.approx(expected["fleiss_kappa"], abs=tol)


def test_fleiss_1971_psychiatric_diagnoses(published: Published) -> None:
    example = published("fleiss1971_diagnoses_30x6")
    expected, tol = example["expected"], tolerance(example)
    labels = np.asarray(example["data"])
    assert labels.shape == (30, 6)
    assert fleiss_kappa(counts_from_labels(labels)) == pytest.approx(expected["fleiss_kappa"], abs=tol)
    first_three = counts_from_labels(labels[:, :3])
    assert fleiss_kappa(first_three) == pytest.approx(expected["fleiss_kappa_first3raters"], abs=tol)


# --- Cohen -------------------------------------------------------------------------------------------


def test_cohen_wikipedia_grant_proposals(published: Published) -> None:
    example = published("cohen_wikipedia_grant_proposals")
    expected, tol = example["expected"], tolerance(example)
    a, b = labels_from_table(example["data"])
    assert a.size == 50
    kappa = cohen_kappa(a, b)
    p_o = percent_agreement(a, b)
    assert kappa == pytest.approx(expected["kappa"], abs=tol)
    assert p_o == pytest.approx(expected["p_o"], abs=tol)
    # p_e is not returned; it follows from kappa = (p_o − p_e) / (1 − p_e).
    assert (p_o - kappa) / (1 - kappa) == pytest.approx(expected["p_e"], abs=tol)


def test_cohen_wikipedia_same_agreement_different_kappa(published: Published) -> None:
    example = published("cohen_wikipedia_same_po_different_kappa")
    tol = tolerance(example)
    for table, expected_kappa in zip(example["data"], example["expected"]["kappa"], strict=True):
        a, b = labels_from_table(table)
        assert percent_agreement(a, b) == pytest.approx(0.60)
        assert cohen_kappa(a, b) == pytest.approx(expected_kappa, abs=tol)


def test_cohen_sas_unweighted_and_linear_weighted(published: Published) -> None:
    example = published("cohen_sas_3x3_unweighted_and_linear")
    expected, tol = example["expected"], tolerance(example)
    a, b = labels_from_table(example["data"])
    # Category 0 is never chosen by rater 2 and the column order matters for weights: pin it.
    assert cohen_kappa(a, b, labels=[0, 1, 2]) == pytest.approx(expected["kappa"], abs=tol)
    linear = cohen_kappa(a, b, weights="linear", labels=[0, 1, 2])
    assert linear == pytest.approx(expected["kappa_linear_weighted"], abs=tol)
    # expected["ase"] (asymptotic standard error) is not computed by the library.


# --- Krippendorff ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "example_id",
    [
        "krippendorff2011_4obs_12units_missing",
        "krippendorff2011_binary_2obs_10units",
        "krippendorff_wikipedia_3coders_15units",
    ],
)
def test_krippendorff_published_examples(published: Published, example_id: str) -> None:
    example = published(example_id)
    tol = tolerance(example)
    data = np.array(example["data"], dtype=float)  # JSON null becomes nan
    assert example["expected"], "example lists no expected value"
    for level, expected_alpha in example["expected"].items():
        assert krippendorff_alpha(data, level) == pytest.approx(expected_alpha, abs=tol), level


def test_krippendorff_accepts_nested_lists_with_none(published: Published) -> None:
    example = published("krippendorff2011_4obs_12units_missing")
    assert krippendorff_alpha(example["data"], "nominal") == pytest.approx(
        example["expected"]["nominal"], abs=tolerance(example)
    )
