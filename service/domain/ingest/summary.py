"""What an ingest did, in a shape a CRM can log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from service.domain.changes import ChangeRecord, ChangeSet
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
    created/updated/closed (history kept) /removed (edges without history) per type;
    and what changed: the change set of each transaction (``change_sets``, kept for a
    single batch; an import hands each to a callback instead) and their counts."""

    effective_at: datetime
    received: dict[str, int] = field(default_factory=dict)
    nodes: dict[str, dict[str, int]] = field(default_factory=dict)
    edges: dict[str, dict[str, int]] = field(default_factory=dict)
    transactions: int = 0
    change_sets: list[ChangeSet] = field(default_factory=list)
    change_set_ids: list[str] = field(default_factory=list)
    touched_accounts: set[str] = field(default_factory=set)
    change_counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {
            "nodes": {"created": 0, "changed": 0, "left": 0},
            "edges": {"opened": 0, "closed": 0, "changed": 0},
            "ties": {"tie_activated": 0, "tie_went_dark": 0},
        }
    )

    @property
    def rows(self) -> int:
        return sum(self.received.values())

    @property
    def changes(self) -> ChangeSet | None:
        """The change set of a single batch (None for an import of several chunks)."""
        return self.change_sets[0] if len(self.change_sets) == 1 else None

    def add(
        self, tally: Tally, change_record: ChangeRecord | None = None, *, keep: bool = True
    ) -> None:
        """Fold in the changes of one transaction (``keep``: keep its typed change set
        too; an import keeps only the ids and counts)."""
        self.transactions += 1
        if change_record is not None:
            if keep:
                self.change_sets.append(change_record.change_set())
            if change_record.id is not None:
                self.change_set_ids.append(change_record.id)
            self.touched_accounts.update(change_record.accounts)
            for kind, counts in change_record.counts.items():
                into = self.change_counts[kind]
                for change, n in counts.items():
                    into[change] += n
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
            "changes": {
                "change_set_ids": list(self.change_set_ids),
                "accounts": sorted(self.touched_accounts),
                **{k: dict(v) for k, v in self.change_counts.items()},
            },
        }
