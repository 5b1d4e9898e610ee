"""What an ingest did, in a shape a CRM can log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from service.domain.ingest.rows import NODE_SECTIONS
from service.graph.ingest import Tally

# The relationship types each section can write: a summary always lists these, zeros
# included, so a CRM sees stable keys.
SECTION_EDGES: dict[str, tuple[str, ...]] = {
    "stakeholders": ("WORKS_AT", "REPORTS_TO"),
    "budgets": ("OF",),
    "opportunities": ("FOR",),
    "controls": ("CONTROLS",),
    "roles": ("HAS_ROLE",),
    "influences": ("INFLUENCES",),
    "relationships": ("KNOWS",),
    "coverage": ("COVERS",),
    "interactions": ("WITH", "ATTENDED", "KNOWS"),
}


@dataclass
class IngestSummary:
    """Rows received per section; nodes created/updated/unchanged per label; edges
    created/updated/closed (history kept) /removed (edges without history) per type."""

    effective_at: datetime
    received: dict[str, int] = field(default_factory=dict)
    nodes: dict[str, dict[str, int]] = field(default_factory=dict)
    edges: dict[str, dict[str, int]] = field(default_factory=dict)
    transactions: int = 0

    @property
    def rows(self) -> int:
        return sum(self.received.values())

    def add(self, tally: Tally) -> None:
        """Fold in the changes of one transaction."""
        self.transactions += 1
        for kind, target in (("nodes", self.nodes), ("edges", self.edges)):
            for name, counts in tally[kind].items():
                into = target.setdefault(name, {})
                for column, n in counts.items():
                    into[column] = into.get(column, 0) + n

    def as_dict(self) -> dict[str, Any]:
        nodes: dict[str, dict[str, int]] = {}
        for section, label in NODE_SECTIONS.items():
            if section not in self.received:
                continue
            counts = self.nodes.get(label, {})
            created, updated = counts.get("created", 0), counts.get("updated", 0)
            nodes[label] = {
                "created": created,
                "updated": updated,
                "unchanged": self.received[section] - created - updated,
            }
        names = {n for s in self.received for n in SECTION_EDGES.get(s, ())} | set(self.edges)
        edges = {
            name: {
                c: self.edges.get(name, {}).get(c, 0)
                for c in ("created", "updated", "closed", "removed")
            }
            for name in sorted(names)
        }
        return {
            "effective_at": self.effective_at.isoformat(),
            "rows": self.rows,
            "transactions": self.transactions,
            "received": dict(self.received),
            "nodes": nodes,
            "edges": edges,
        }
