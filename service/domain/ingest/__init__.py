"""Ingest: validated, idempotent, all-or-nothing batch writes with history, and departures.

The public API the service, the CLI, the demo portfolio and the benchmarks call::

    ingest_batch(graph, settings, batch) -> IngestSummary
    import_batches(graph, settings, batch, chunk_rows, progress=None) -> IngestSummary
    depart_stakeholder(graph, stakeholder_id, left_at=None) -> Departure
    depart_team_member(graph, team_member_id, left_at=None) -> Departure
"""

from service.domain.ingest.batch import import_batches, ingest_batch, validate_batch
from service.domain.ingest.departure import Departure, depart_stakeholder, depart_team_member
from service.domain.ingest.summary import IngestSummary

__all__ = [
    "Departure",
    "IngestSummary",
    "depart_stakeholder",
    "depart_team_member",
    "import_batches",
    "ingest_batch",
    "validate_batch",
]
