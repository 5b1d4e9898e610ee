"""The examples in every service docstring run (the suite does not use --doctest-modules).

None of them needs Neo4j: they show pure functions and values. Every analytics module
must have at least one, since those are the definitions an analyst checks.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import service

MODULES = sorted(m.name for m in pkgutil.walk_packages(service.__path__, "service."))
ANALYTICS = [name for name in MODULES if name.startswith("service.analytics.")]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_every_analytics_family_has_an_example() -> None:
    finder = doctest.DocTestFinder()
    without = [
        name
        for name in ANALYTICS
        if not any(t.examples for t in finder.find(importlib.import_module(name)))
    ]
    assert ANALYTICS and without == []
