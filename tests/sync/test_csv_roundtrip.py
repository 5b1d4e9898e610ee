"""Round trip: generated records written with ``csv.writer`` (QUOTE_ALL and QUOTE_MINIMAL,
LF and CRLF) read back as the same records, whatever the text holds (commas, quotes,
line breaks, any Unicode); and a bad value is reported on the line an editor shows."""

from __future__ import annotations

import csv
import io
import re
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from service.domain.sync.salesforce import to_18, translate_salesforce
from service.domain.sync.snapshot import SyncInputError

AT = datetime(2026, 10, 1, tzinfo=UTC)
ALNUM = string.ascii_letters + string.digits
LINE_BREAK = re.compile(r"\r\n|\r|\n")

texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)


def sf_ids(prefix: str) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(ALNUM), min_size=12, max_size=12).map(lambda s: prefix + s)


def same_text(value: str) -> str | None:
    """What the translator makes of a text: one line-break form, empty = none."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value or None


@dataclass(frozen=True)
class Contact:
    id: str
    account_id: str
    first: str
    last: str
    title: str
    email: str
    manager: str  # "" = none
    long_ids: bool  # write the 18-character form


contacts = st.builds(
    Contact,
    id=sf_ids("003"),
    account_id=sf_ids("001"),
    first=texts,
    last=texts.filter(lambda s: s != ""),
    title=texts,
    email=texts,
    manager=st.one_of(st.just(""), sf_ids("003")),
    long_ids=st.booleans(),
)
dialects = st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL])
line_ends = st.sampled_from(["\n", "\r\n"])


def written(rows: list[list[str]], quoting: int, line_end: str) -> tuple[str, list[int]]:
    """The CSV text and the line each row starts on (the header is line 1).

    Lines are counted as editors count them: ``\\r\\n``, ``\\n`` and a lone ``\\r``
    each end one. Python's writer does not quote a value holding a lone ``\\r`` when the
    line terminator is ``\\n`` (QUOTE_MINIMAL): that file is not RFC 4180 (no reader
    can tell the ``\\r`` from a line end; Salesforce quotes every value), so such
    examples are not generated.
    """
    assume(
        not (
            quoting == csv.QUOTE_MINIMAL
            and line_end == "\n"
            and any("\r" in value for row in rows for value in row)
        )
    )
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=quoting, lineterminator=line_end)
    starts = []
    for row in rows:
        starts.append(len(LINE_BREAK.findall(out.getvalue())) + 1)
        writer.writerow(row)
    return out.getvalue(), starts


def contact_row(c: Contact) -> list[str]:
    def ident(value: str) -> str:
        return to_18(value) if c.long_ids and value else value

    return [ident(c.id), ident(c.account_id), c.first, c.last, c.title, c.email, ident(c.manager)]


HEADER = ["Id", "AccountId", "FirstName", "LastName", "Title", "Email", "ReportsToId"]


@settings(max_examples=150, deadline=None)
@given(st.lists(contacts, max_size=12, unique_by=lambda c: c.id.casefold()), dialects, line_ends)
def test_contacts_round_trip(people: list[Contact], quoting: int, line_end: str) -> None:
    people = [c for c in people if c.manager.casefold() != c.id.casefold()]
    text, _ = written([HEADER] + [contact_row(c) for c in people], quoting, line_end)
    snap = translate_salesforce({"Contact": text}, mode="snapshot", effective_at=AT)
    expected = [
        (
            to_18(c.id),
            to_18(c.account_id),
            f"{same_text(c.first)} {same_text(c.last)}" if c.first else same_text(c.last),
            same_text(c.title),
            same_text(c.email),
            to_18(c.manager) if c.manager else None,
        )
        for c in people
    ]
    got = [(p.id, p.account_id, p.name, p.title, p.email, p.manager_id) for p in snap.people]
    assert got == expected


@dataclass(frozen=True)
class Deal:
    id: str
    account_id: str
    name: str
    stage: str
    cents: int | None
    close: date | None


deals = st.builds(
    Deal,
    id=sf_ids("006"),
    account_id=sf_ids("001"),
    name=texts.filter(lambda s: s != ""),
    stage=st.sampled_from(["Prospecting", "Closed Won", "Negotiation/Review", 'Custom, "odd"']),
    cents=st.one_of(st.none(), st.integers(0, 10**13)),
    close=st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2199, 12, 31))),
)
STAGES = {
    "Prospecting": "prospecting",
    "Closed Won": "closed_won",
    "Negotiation/Review": "negotiation",
}


@settings(max_examples=100, deadline=None)
@given(st.lists(deals, max_size=10, unique_by=lambda d: d.id.casefold()), dialects, line_ends)
def test_opportunities_round_trip(opps: list[Deal], quoting: int, line_end: str) -> None:
    header = ["Id", "AccountId", "Name", "StageName", "Amount", "CloseDate"]
    rows = [
        [
            d.id,
            d.account_id,
            d.name,
            d.stage,
            "" if d.cents is None else f"{d.cents // 100}.{d.cents % 100:02d}",
            d.close.isoformat() if d.close else "",
        ]
        for d in opps
    ]
    text, _ = written([header, *rows], quoting, line_end)
    snap = translate_salesforce({"Opportunity": text}, mode="snapshot", effective_at=AT)
    got = [(o.id, o.name, o.stage, o.amount, o.close_date) for o in snap.opportunities]
    assert got == [
        (
            to_18(d.id),
            same_text(d.name),
            STAGES.get(d.stage),
            None if d.cents is None else d.cents / 100,
            d.close,
        )
        for d in opps
    ]
    assert sum(u.count for u in snap.unmapped) == sum(d.stage not in STAGES for d in opps)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(contacts, min_size=1, max_size=10, unique_by=lambda c: c.id.casefold()),
    st.data(),
    dialects,
    line_ends,
)
def test_a_bad_value_is_reported_on_the_line_its_record_starts(
    people: list[Contact], data: st.DataObject, quoting: int, line_end: str
) -> None:
    people = [c for c in people if c.manager.casefold() != c.id.casefold()]
    if not people:
        return
    bad = data.draw(st.integers(0, len(people) - 1))
    rows = [contact_row(c) for c in people]
    rows[bad][6] = "not-an-id"
    text, starts = written([HEADER, *rows], quoting, line_end)
    try:
        translate_salesforce({"Contact": text}, mode="snapshot", effective_at=AT)
    except SyncInputError as exc:
        assert [(p.line, p.column) for p in exc.problems] == [(starts[bad + 1], "ReportsToId")]
    else:
        raise AssertionError("the bad ReportsToId was not reported")
