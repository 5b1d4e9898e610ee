"""The driver formats a RUN's fields for its debug log even when debug logging is off;
a loaded query text keeps that to its name (service/graph/cypher_files.py). Checked
through the real driver against the real Neo4j, with the driver's debug log on."""

from __future__ import annotations

import logging

import pytest

from service.graph.cypher_files import cypher
from service.graph.driver import Graph, Rows


def test_a_run_formats_the_query_name_not_its_text(
    graph: Graph, caplog: pytest.LogCaptureFixture
) -> None:
    text = cypher("reads/stakeholder")
    with caplog.at_level(logging.DEBUG, logger="neo4j"):
        rows = graph.read(text, stakeholder_id="nobody", scoped=False)
    assert rows == []  # the server ran the text: an unknown id has no row
    runs = [r.getMessage() for r in caplog.records if "C: RUN" in r.getMessage()]
    assert len(runs) == 1
    assert "<cypher reads/stakeholder: " in runs[0]
    assert "COLLECT {" not in runs[0]  # the text itself was never formatted


def test_a_rows_parameter_is_formatted_as_its_length(
    graph: Graph, caplog: pytest.LogCaptureFixture
) -> None:
    ids = Rows(f"id-{n}" for n in range(1000))
    with caplog.at_level(logging.DEBUG, logger="neo4j"):
        rows = graph.read("RETURN size($ids) AS n, $ids[999] AS last", ids=ids)
    assert rows == [{"n": 1000, "last": "id-999"}]  # sent whole, as a list
    runs = [r.getMessage() for r in caplog.records if "C: RUN" in r.getMessage()]
    assert len(runs) == 1 and "<1000 rows>" in runs[0]
    assert "id-999" not in runs[0]
