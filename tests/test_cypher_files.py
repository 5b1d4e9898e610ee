"""The service's Cypher as loaded (service/graph/cypher_files.py); no server needed."""

from __future__ import annotations

from service.graph.cypher_files import CYPHER_DIR, CypherText, cypher, without_comment_lines


def test_whole_line_comments_are_left_out_and_nothing_else() -> None:
    text = "// heading\nMATCH (s {id: $id})  // kept: not a whole line\n  // indented\nRETURN s\n"
    assert without_comment_lines(text) == (
        "MATCH (s {id: $id})  // kept: not a whole line\nRETURN s\n"  # its last newline too
    )


def test_every_file_loads_as_its_statement_lines() -> None:
    paths = sorted(CYPHER_DIR.glob("*/*.cypher"))
    assert len(paths) > 50
    for path in paths:
        name = f"{path.parent.name}/{path.stem}"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        statement = [line for line in lines if not line.lstrip().startswith("//")]
        # Texts are joined (an anchor and a body): each ends as its file does.
        assert cypher(name) == "".join(statement), name
        assert any(line.strip() for line in statement), name  # a statement, not only prose


def test_a_loaded_text_says_only_its_name_in_a_repr_and_is_its_own_str() -> None:
    text = cypher("reads/stakeholder")
    assert repr(text) == f"<cypher reads/stakeholder: {len(text)} chars>"
    assert str(text) is text  # the driver's str(query) keeps it
    anchor, body = cypher("analytics/account_by_id"), cypher("analytics/account_subgraph")
    joined = anchor + body  # as account_subgraph.py joins them
    assert isinstance(joined, CypherText)
    assert (
        repr(joined)
        == f"<cypher analytics/account_by_id+analytics/account_subgraph: {len(joined)} chars>"
    )
    assert str.__eq__(joined, "".join((anchor, body)))
    plain = "MATCH (n) " + text
    assert type(plain) is str and type(text + " RETURN 1") is str
