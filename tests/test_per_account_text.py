"""The rewrite that lets one statement run a saved query for many accounts
(service/domain/queries/per_account.py): ``$account_id`` becomes the variable
``__pm_account`` wherever it is the parameter, and nowhere else."""

from __future__ import annotations

import pytest

from service.domain.queries.per_account import per_account_text


def test_the_parameter_becomes_the_variable_everywhere_it_is_used() -> None:
    text = (
        "MATCH (a:Account) WHERE $account_id IS NULL OR a.id = $account_id\n"
        "RETURN a.id AS account_id, {id: $account_id} AS m"
    )
    assert per_account_text(text) == (
        "MATCH (a:Account) WHERE __pm_account IS NULL OR a.id = __pm_account\n"
        "RETURN a.id AS account_id, {id: __pm_account} AS m"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Inside literals, comments and quoted names it is text, not the parameter.
        (
            "RETURN '$account_id' AS s, $account_id AS a",
            "RETURN '$account_id' AS s, __pm_account AS a",
        ),
        (
            'RETURN "x \\" $account_id" AS s, $account_id AS a',
            'RETURN "x \\" $account_id" AS s, __pm_account AS a',
        ),
        ("// $account_id\nRETURN $account_id AS a", "// $account_id\nRETURN __pm_account AS a"),
        ("/* $account_id */ RETURN $account_id AS a", "/* $account_id */ RETURN __pm_account AS a"),
        ("RETURN $account_id AS `$account_id`", "RETURN __pm_account AS `$account_id`"),
        # Another parameter that starts with the same letters is left alone.
        (
            "RETURN $account_ids AS x, $account_id AS a",
            "RETURN $account_ids AS x, __pm_account AS a",
        ),
        ("RETURN $account_id", "RETURN __pm_account"),
    ],
)
def test_only_the_parameter_token_is_rewritten(text: str, expected: str) -> None:
    assert per_account_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "MATCH (a:Account) RETURN a.id AS id",  # no $account_id: nothing to run per account
        "RETURN '$account_id' AS s",  # only in a literal
        "WITH 1 AS __pm_account RETURN $account_id AS a",  # the wrapper's own name
        "RETURN $`account_id` AS a",  # a quoted parameter the rewrite does not read
    ],
)
def test_texts_that_cannot_be_rewritten_safely(text: str) -> None:
    assert per_account_text(text) is None
