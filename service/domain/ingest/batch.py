"""The ingest use cases: one batch in one transaction, or a large file in account chunks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from itertools import groupby
from typing import Any, cast

from service import heap
from service.domain.changes import ChangeRecord, ChangeSet, WriteSource, record_changes
from service.domain.errors import Conflict, InvalidInput
from service.domain.ingest.plan import ACCOUNT, Chunk, chunk_units, plan_units, write_set_of
from service.domain.ingest.summary import IngestSummary
from service.domain.ingest.validation import (
    DEFAULT_MAX_ERRORS,
    ValidBatch,
    check_size,
    validate,
)
from service.graph import ingest as store
from service.graph.driver import Graph
from service.settings import Settings


def validate_batch(
    graph: Graph, batch: Mapping[str, Any], max_errors: int = DEFAULT_MAX_ERRORS
) -> ValidBatch:
    """Every check of a batch (rows, then batch-level against stored data), or
    :class:`InvalidInput` counting every problem and listing the first ``max_errors``."""
    if not isinstance(batch, Mapping):
        raise InvalidInput("the batch must be a JSON object with one list per section")

    def lookup(ids_by_label: dict[str, set[str]], manager_starts: set[str]) -> store.StoredFacts:
        return store.lookup_stored(graph, ids_by_label, manager_starts)

    valid, errors = validate(batch, lookup, max_errors)
    if errors:
        listed = errors.first()
        shown = "" if errors.total == len(listed) else f"; the first {len(listed)} are listed"
        raise InvalidInput(
            f"{errors.total} problem(s) in the batch{shown}; nothing was written",
            errors=listed,
            error_count=errors.total,
        )
    return valid


def write_params(
    settings: Settings, effective_at: datetime, now: datetime, source: WriteSource = "api"
) -> store.WriteParams:
    """The parameters of a write by ``source`` (the settings' chunking and tie model)."""
    return store.WriteParams(
        effective_at=effective_at,
        now=now,
        unwind_chunk=settings.ingest_unwind_chunk,
        half_life_days=settings.tie_half_life_days,
        weights=settings.interaction_weights,
        active_tie_threshold=settings.active_tie_threshold,
        source=source,
    )


def recorder(params: store.WriteParams) -> store.Recorder[ChangeRecord]:
    """The recorder of a write with ``params``: its change record, and the properties
    of the ``ChangeSet`` node to write when it is not empty (service/domain/changes.py)."""

    def record(raw: store.RawChanges) -> tuple[ChangeRecord, dict[str, Any] | None]:
        return record_changes(
            raw,
            at=params.now,
            effective_at=params.effective_at,
            source=cast(WriteSource, params.source),
            active_tie_threshold=params.active_tie_threshold,
        )

    return record


def write_recorded(
    graph: Graph, write_set: store.WriteSet, params: store.WriteParams, *, what: str = "batch"
) -> tuple[store.Tally, ChangeRecord]:
    """Write one transaction and record its change set in it; the tally and the record.
    ``what`` names the write in the conflict's message ("batch", "upload")."""
    try:
        tally, change_set = store.write_batch(graph, write_set, params, recorder(params))
    except store.ReportingCycleFormed as exc:
        raise Conflict(
            f"a concurrent change formed a solid reporting cycle through {', '.join(exc.people)}; "
            f"nothing of this {what} was written"
        ) from exc
    assert change_set is not None  # a recorder was given
    return tally, change_set


def ingest_batch(
    graph: Graph,
    settings: Settings,
    batch: Mapping[str, Any],
    *,
    source: WriteSource = "api",
) -> IngestSummary:
    """Validate and write one batch, all or nothing, in one transaction.

    ``source`` is where the batch comes from (docs/graph-conventions.md, "Provenance"):
    what is created or opened stores it, and the change set records it.

    Raises :class:`PayloadTooLarge` over ``settings.ingest_max_rows`` rows (before any
    other work), :class:`InvalidInput` with every bad row, and :class:`Conflict` if a
    concurrent batch closed a reporting cycle with this one. The summary's ``changes``
    is the batch's change set (recorded in the same transaction).
    """
    if isinstance(batch, Mapping):
        check_size(batch, settings.ingest_max_rows)
    valid = validate_batch(graph, batch, settings.max_listed_errors)
    now = datetime.now(UTC)
    summary = IngestSummary(effective_at=valid.effective_at or now, received=valid.received)
    units = plan_units(valid)
    if units:
        params = write_params(settings, summary.effective_at, now, source)
        summary.add(*write_recorded(graph, write_set_of(units), params))
    else:  # nothing to write: no transaction, an empty change set
        summary.change_sets.append(
            ChangeSet(id=None, at=now, effective_at=summary.effective_at, source=source)
        )
    return summary


def import_batches(
    graph: Graph,
    settings: Settings,
    batch: Mapping[str, Any],
    chunk_rows: int,
    progress: Callable[[int], None] | None = None,
    *,
    workers: int = 1,
    on_change_set: Callable[[ChangeSet], None] | None = None,
    source: WriteSource = "api",
) -> IngestSummary:
    """Validate a large batch as a whole, then write it in transactions grouped by
    account (see :mod:`service.domain.ingest.plan`); ``progress`` gets the number of
    input rows each committed transaction completed. No size cap applies.

    With ``workers`` > 1 the account transactions run concurrently (accounts share no
    nodes but team members; a rare deadlock is retried by the driver). Team members go
    first and rows spanning accounts last, each phase finished before the next starts.

    Each committed transaction records its own change set; ``on_change_set`` gets each
    one (the summary keeps only their ids and counts: an import's changes are as large
    as its input).
    """
    if chunk_rows < 1 or workers < 1:
        raise InvalidInput("chunk_rows and workers must be at least 1")
    with heap.collector_paused():
        valid = validate_batch(graph, batch, settings.max_listed_errors)
        now = datetime.now(UTC)
        summary = IngestSummary(effective_at=valid.effective_at or now, received=valid.received)
        params = write_params(settings, summary.effective_at, now, source)
        chunks = list(chunk_units(plan_units(valid), chunk_rows))
        del valid

    def done(chunk: Chunk, written: tuple[store.Tally, ChangeRecord]) -> None:
        tally, change_record = written
        summary.add(tally, change_record, keep=False)
        if on_change_set is not None:
            on_change_set(change_record.change_set())
        if progress is not None:
            progress(chunk.rows)

    with heap.frozen_during():
        for phase, group in groupby(chunks, key=lambda c: c.phase):
            if phase != ACCOUNT or workers == 1:
                for chunk in group:
                    done(chunk, write_recorded(graph, chunk.write_set, params))
                continue
            pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="import")
            try:
                futures = {
                    pool.submit(write_recorded, graph, c.write_set, params): c for c in group
                }
                for future in as_completed(futures):
                    done(futures[future], future.result())
            finally:
                # On a failure, transactions not yet started are dropped: whole accounts only.
                pool.shutdown(wait=True, cancel_futures=True)
    return summary
