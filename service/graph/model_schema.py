"""The one list of what the graph holds: the model's labels and relationship types, and
the service's own bookkeeping labels beside them.

The model (README "The model", docs/graph-conventions.md) is what analysts query; the
bookkeeping nodes are the service's: API keys (with their secret hashes), the change
sets of the writes and the migration records. Bookkeeping nodes never have a
relationship, so everything reachable by expanding from a model node is model data — the
analyst guard
(``service/domain/queries/guard.py``) relies on that and on these lists, and
``tests/integration/test_model_schema.py`` checks both against the migrations, every
Cypher file of the repository and a seeded graph.
"""

from __future__ import annotations

from typing import Final

__all__ = ["BOOKKEEPING_LABELS", "MODEL_LABELS", "MODEL_RELATIONSHIP_TYPES", "model_label_pattern"]

MODEL_LABELS: Final = (
    "Account",
    "Stakeholder",
    "TeamMember",
    "Budget",
    "Opportunity",
    "Interaction",
)
MODEL_RELATIONSHIP_TYPES: Final = (
    "WORKS_AT",
    "REPORTS_TO",
    "CONTROLS",
    "HAS_ROLE",
    "INFLUENCES",
    "KNOWS",
    "COVERS",
    "OF",
    "FOR",
    "WITH",
    "ATTENDED",
)
# Service-internal nodes, each without any relationship: never visible to analysts.
# ChangeSet: one per write, what it changed (service/domain/changes.py). The alerts'
# (docs/alerts.md): Watch (with its webhook secret), AlertState (what a watch last saw of
# an account), AlertEvent (the outbox and feed), WebhookDelivery (one per attempt) and
# AlertSequence (the events' global counter).
BOOKKEEPING_LABELS: Final = (
    "ApiKey",
    "ChangeSet",
    "Watch",
    "AlertState",
    "AlertEvent",
    "WebhookDelivery",
    "AlertSequence",
    "__Migration",
    "__MigrationLock",
)


def model_label_pattern(variable: str = "n") -> str:
    """``(n:Account|Stakeholder|…)``: a node pattern matching every node of the model.

    >>> model_label_pattern("x")
    '(x:Account|Stakeholder|TeamMember|Budget|Opportunity|Interaction)'
    """
    return f"({variable}:{'|'.join(MODEL_LABELS)})"
