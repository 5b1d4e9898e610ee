"""The examples in the analytics docstrings run (the suite does not use --doctest-modules)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import service.analytics

MODULES = sorted(
    f"service.analytics.{m.name}" for m in pkgutil.iter_modules(service.analytics.__path__)
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_every_family_has_an_example() -> None:
    finder = doctest.DocTestFinder()
    without = [
        name
        for name in MODULES
        if not any(t.examples for t in finder.find(importlib.import_module(name)))
    ]
    assert without == []
