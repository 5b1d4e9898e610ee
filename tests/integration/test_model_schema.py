"""The one list of the model's labels and types (service/graph/model_schema.py) is the
truth: the migrations, every Cypher file and a stored graph agree with it, and the
bookkeeping nodes the analyst guard relies on being isolated have no relationship."""

from __future__ import annotations

import re
from pathlib import Path

from service.domain.access import Scope, create_key
from service.graph.driver import Graph
from service.graph.model_schema import BOOKKEEPING_LABELS, MODEL_LABELS, MODEL_RELATIONSHIP_TYPES
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CYPHER_FILES = sorted(
    [*ROOT.glob("cypher/*.cypher"), *ROOT.glob("migrations/*.cypher")]
    + list((ROOT / "service/graph/cypher").rglob("*.cypher"))
)
_COMMENT = re.compile(r"//[^\n]*")
_NODE_LABEL = re.compile(r"\(\s*\w*\s*:\s*(\w+)")
_REL_TYPE = re.compile(r"\[\s*\w*\s*:\s*(\w+)")


def test_the_migrations_constrain_exactly_the_model_and_the_keys() -> None:
    text = "\n".join(p.read_text() for p in sorted(ROOT.glob("migrations/*.cypher")))
    constrained = set(re.findall(r"FOR \(n:(\w+)\) REQUIRE n\.id IS UNIQUE", text))
    # The bookkeeping looked up by id: API keys, watches, alert events, delivery attempts.
    assert constrained == set(MODEL_LABELS) | {"ApiKey", "Watch", "AlertEvent", "WebhookDelivery"}


def test_every_cypher_file_uses_only_listed_labels_and_types() -> None:
    assert len(CYPHER_FILES) > 40
    labels: set[str] = set()
    types: set[str] = set()
    for path in CYPHER_FILES:
        text = _COMMENT.sub("", path.read_text())
        # `(r:KNOWS ...)` in a WHERE is a relationship-type predicate, not a label.
        named = set(_NODE_LABEL.findall(text))
        labels |= named - set(MODEL_RELATIONSHIP_TYPES)
        types |= set(_REL_TYPE.findall(text)) | (named & set(MODEL_RELATIONSHIP_TYPES))
    assert labels <= set(MODEL_LABELS) | set(BOOKKEEPING_LABELS), labels
    assert set(MODEL_LABELS) <= labels
    assert types == set(MODEL_RELATIONSHIP_TYPES)


def test_a_stored_graph_holds_the_model_and_isolated_bookkeeping(
    scene: Graph, settings: Settings
) -> None:
    create_key(scene, "k", [Scope.READ])
    stored_labels = {
        label
        for row in scene.read("MATCH (n) RETURN DISTINCT labels(n) AS l")
        for label in row["l"]
    }
    assert "ApiKey" in stored_labels and "__Migration" in stored_labels
    assert stored_labels <= set(MODEL_LABELS) | set(BOOKKEEPING_LABELS)
    types = {r["t"] for r in scene.read("MATCH ()-[r]->() RETURN DISTINCT type(r) AS t")}
    assert types and types <= set(MODEL_RELATIONSHIP_TYPES)
    linked = scene.read(
        "MATCH (n)--() WHERE any(l IN labels(n) WHERE l IN $bookkeeping) RETURN count(n) AS c",
        bookkeeping=list(BOOKKEEPING_LABELS),
    )
    assert linked == [{"c": 0}]
