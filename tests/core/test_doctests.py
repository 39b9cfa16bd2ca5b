"""Every example in the core's docstrings runs and prints what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import consenso.core

MODULES = sorted(info.name for info in pkgutil.walk_packages(consenso.core.__path__, prefix="consenso.core."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0, f"{failures} docstring example(s) of {name} fail; run it with -s to see them"


def test_the_quality_core_has_examples() -> None:
    # A walk that finds nothing would pass the test above vacuously.
    finder = doctest.DocTestFinder()
    with_examples = {
        name for name in MODULES if any(test.examples for test in finder.find(importlib.import_module(name)))
    }
    assert "consenso.core.aggregation.dawid_skene" in with_examples
    assert "consenso.core.agreement.krippendorff" in with_examples
