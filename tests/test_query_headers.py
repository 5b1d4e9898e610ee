"""Saved-query headers, parameter validation and the catalog's file watching (no Neo4j)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from service.domain.errors import InvalidInput, NotFound
from service.domain.queries.catalog import (
    DEFAULT_QUERIES_DIR,
    Catalog,
    HeaderError,
    parse_query_file,
)
from service.domain.queries.params import ParamSpec, ParamType, coerce_value, validate_params

GOOD = """\
// @title Budgets of an account
// @description Every budget of the account
//   with its controllers.
//
// @param account_id: string required -- The account's id.
// @param theta: float = 0.2 -- Active-tie threshold.
// @param days: integer = 90 \u2014 Days without contact.
// @param since: date = 2026-01-01 -- From this day.
// @param at: datetime = null -- A moment.
// @param roles: list of string = ["champion", "coach"] -- Roles.
// @param open_only: boolean = true -- Only open ones.
// @param currency: string = "EUR" -- Currency.
// @column budget_id: The budget's id.
// @column amount: Its amount.
MATCH (b:Budget)-[:OF]->(:Account {id: $account_id})
RETURN b.id AS budget_id, b.amount AS amount
"""


def header_error(text: str, name: str = "q") -> HeaderError:
    with pytest.raises(HeaderError) as caught:
        parse_query_file(name, text)
    return caught.value


def test_a_good_header_is_parsed_completely() -> None:
    query = parse_query_file("budgets", GOOD)
    assert query.name == "budgets"
    assert query.title == "Budgets of an account"
    # The continuation line is folded into the description; the empty comment is skipped.
    assert query.description == "Every budget of the account with its controllers."
    assert [(p.name, p.type, p.required, p.default) for p in query.params] == [
        ("account_id", ParamType.STRING, True, None),
        ("theta", ParamType.FLOAT, False, 0.2),
        ("days", ParamType.INTEGER, False, 90),
        ("since", ParamType.DATE, False, date(2026, 1, 1)),
        ("at", ParamType.DATETIME, False, None),
        ("roles", ParamType.LIST_OF_STRING, False, ["champion", "coach"]),
        ("open_only", ParamType.BOOLEAN, False, True),
        ("currency", ParamType.STRING, False, "EUR"),
    ]
    assert query.params[2].description == "Days without contact."  # after an em dash
    assert [(c.name, c.description) for c in query.columns] == [
        ("budget_id", "The budget's id."),
        ("amount", "Its amount."),
    ]
    assert query.cypher == GOOD  # the whole file runs; the header is Cypher comments


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("// @titel X\nRETURN 1 AS a", 1, "unknown tag @titel"),
        ("// just a comment\n// @title X\nRETURN 1", 1, "must start with a tag"),
        (
            "// @title X\n// @description D\n// @param n: number = 1 -- N\n// @column a: A\n"
            "RETURN 1 AS a",
            3,
            "TYPE is one of",
        ),
        (
            "// @title X\n// @description D\n// @column a: A\n// @param n: integer = ten -- N\n"
            "RETURN 1 AS a",
            4,
            "default of n is not a valid integer",
        ),
        (
            "// @title X\n// @description D\n// @param n: integer required\n// @column a: A\n"
            "RETURN 1 AS a",
            3,
            "needs a description",
        ),
        (
            "// @title X\n// @description D\n// @param n: date required -- N\n"
            "// @param n: string required -- again\n// @column a: A\nRETURN 1 AS a",
            4,
            "declared twice",
        ),
        ("// @description D\n// @column a: A\nRETURN 1 AS a", 1, "no @title"),
        ("// @title X\n// @column a: A\nRETURN 1 AS a", 1, "no @description"),
        ("// @title X\n// @description D\nRETURN 1 AS a", 1, "no @column"),
        ("// @title X\n// @description D\n// @column a:\nRETURN 1 AS a", 3, "@column NAME"),
        ("// @title X\n// @title Y\n// @description D\n// @column a: A\nRETURN 1", 2, "twice"),
        ("// @title X\n// @description D\n// @column a: A\n", 3, "no query after the header"),
    ],
)
def test_malformed_headers_name_their_line(text: str, line: int, fragment: str) -> None:
    error = header_error(text)
    assert error.line == line
    assert fragment in error.message


def test_file_names_are_restricted() -> None:
    assert "file names" in header_error(GOOD, name="Bad-Name").message


def test_shipped_catalog_loads_without_errors() -> None:
    queries, errors = Catalog(DEFAULT_QUERIES_DIR).entries()
    assert errors == []
    assert len(queries) >= 12
    for query in queries:
        assert query.columns and query.title and query.description
        assert all(p.description for p in query.params)


# --- parameters -------------------------------------------------------------------

SPECS = (
    ParamSpec("account_id", ParamType.STRING, True, None, "id"),
    ParamSpec("days", ParamType.INTEGER, False, 90, "days"),
    ParamSpec("theta", ParamType.FLOAT, False, 0.2, "theta"),
    ParamSpec("since", ParamType.DATE, False, None, "since"),
    ParamSpec("at", ParamType.DATETIME, False, None, "at"),
    ParamSpec("roles", ParamType.LIST_OF_STRING, False, ["champion"], "roles"),
    ParamSpec("open_only", ParamType.BOOLEAN, False, False, "flag"),
)


def test_defaults_fill_what_is_not_given_and_null_means_default() -> None:
    assert validate_params(SPECS, {"account_id": "acme", "days": None}) == {
        "account_id": "acme",
        "days": 90,
        "theta": 0.2,
        "since": None,
        "at": None,
        "roles": ["champion"],
        "open_only": False,
    }


def test_json_values_are_coerced_to_driver_types() -> None:
    values = validate_params(
        SPECS,
        {
            "account_id": "acme",
            "days": 30,
            "theta": 1,  # an integer is a fine float
            "since": "2026-03-01",
            "at": "2026-03-01T09:30:00Z",
            "roles": ["coach", "champion"],
            "open_only": True,
        },
    )
    assert values["theta"] == 1.0 and isinstance(values["theta"], float)
    assert values["since"] == date(2026, 3, 1)
    assert values["at"] == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert values["roles"] == ["coach", "champion"]


def test_a_datetime_without_offset_is_utc_and_offsets_are_kept() -> None:
    assert coerce_value(ParamType.DATETIME, "2026-03-01T09:30:00") == datetime(
        2026, 3, 1, 9, 30, tzinfo=UTC
    )
    plus_two = coerce_value(ParamType.DATETIME, "2026-03-01T11:30:00+02:00")
    assert plus_two.utcoffset() == timedelta(hours=2)
    assert plus_two == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_unknown_missing_and_mistyped_parameters_are_all_named() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_params(
            SPECS,
            {
                "dayz": 3,
                "days": "30",  # JSON text is not an integer
                "theta": True,  # a boolean is not a number
                "since": "31/01/2026",
                "roles": ["a", 1],
                "open_only": "yes",
            },
        )
    error = caught.value
    assert error.status == 422
    by_field = {e.field: e.reason for e in error.errors}
    assert set(by_field) == {"dayz", "account_id", "days", "theta", "since", "roles", "open_only"}
    assert "unknown parameter" in by_field["dayz"]
    assert "required parameter missing" in by_field["account_id"]
    assert by_field["days"].startswith("integer: expected an integer")
    assert by_field["theta"].startswith("float: expected a number")
    assert "YYYY-MM-DD" in by_field["since"]
    assert "list of strings" in by_field["roles"]
    assert "true or false" in by_field["open_only"]
    assert {e.location for e in error.errors} == {f"params.{name}" for name in by_field}


def test_text_values_from_the_command_line_are_parsed() -> None:
    values = validate_params(
        SPECS,
        {
            "account_id": "acme",
            "days": "30",
            "theta": "0.35",
            "since": "2026-01-01",
            "roles": "champion, coach",
            "open_only": "true",
        },
        from_text=True,
    )
    assert (values["days"], values["theta"], values["open_only"]) == (30, 0.35, True)
    assert values["roles"] == ["champion", "coach"]
    assert coerce_value(ParamType.LIST_OF_STRING, '["a,b", "c"]', from_text=True) == ["a,b", "c"]
    with pytest.raises(ValueError, match="integer"):
        coerce_value(ParamType.INTEGER, "3.5", from_text=True)


def test_integers_outside_64_bits_and_non_finite_floats_are_refused() -> None:
    with pytest.raises(ValueError, match="64-bit"):
        coerce_value(ParamType.INTEGER, 2**63)
    with pytest.raises(ValueError, match="finite"):
        coerce_value(ParamType.FLOAT, "nan", from_text=True)
    assert coerce_value(ParamType.INTEGER, 5.0) == 5  # an integral JSON number is fine


# --- the catalog folder -----------------------------------------------------------


def write(path: Path, text: str, *, bump: int = 0) -> None:
    path.write_text(text, encoding="utf-8")
    # Filesystems with coarse timestamps could hide a quick rewrite; move mtime explicitly.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + bump * 1_000_000_000))


def test_catalog_reports_broken_files_and_keeps_the_others(tmp_path: Path) -> None:
    write(tmp_path / "good.cypher", GOOD)
    write(tmp_path / "broken.cypher", "// @title X\n// @description D\n// @colum a: A\nRETURN 1")
    write(tmp_path / "notes.txt", "not a query")
    catalog = Catalog(tmp_path)
    queries, errors = catalog.entries()
    assert [q.name for q in queries] == ["good"]
    assert [(e.file, e.line) for e in errors] == [("broken.cypher", 3)]
    assert "unknown tag @colum" in errors[0].message
    assert catalog.get("good").title == "Budgets of an account"
    with pytest.raises(NotFound, match=r"broken.cypher:3"):
        catalog.get("broken")
    with pytest.raises(NotFound):
        catalog.get("missing")


def test_catalog_rereads_changed_added_and_removed_files(tmp_path: Path) -> None:
    path = tmp_path / "q.cypher"
    write(path, GOOD)
    catalog = Catalog(tmp_path)
    assert catalog.get("q").title == "Budgets of an account"

    write(path, GOOD.replace("Budgets of an account", "Budgets, renamed"), bump=5)
    assert catalog.get("q").title == "Budgets, renamed"

    write(tmp_path / "second.cypher", GOOD, bump=5)
    assert [q.name for q in catalog.entries()[0]] == ["q", "second"]

    path.unlink()
    assert [q.name for q in catalog.entries()[0]] == ["second"]


def test_reload_rereads_even_when_the_stamp_did_not_move(tmp_path: Path) -> None:
    path = tmp_path / "q.cypher"
    write(path, GOOD)
    catalog = Catalog(tmp_path)
    assert catalog.get("q").title == "Budgets of an account"
    before = path.stat()
    # Same size and the same mtime: the on-access check cannot see this edit...
    path.write_text(GOOD.replace("Budgets of an account", "Budgets of an accoun!"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert catalog.get("q").title == "Budgets of an account"
    # ...the admin reload does.
    catalog.reload()
    assert catalog.get("q").title == "Budgets of an accoun!"
