"""Loads the service's own Cypher from ``service/graph/cypher/*.cypher`` by name.

Query text lives in files (reviewable, highlighted, testable in cypher-shell) and is
read once; values always travel as ``$parameters``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

CYPHER_DIR = Path(__file__).resolve().parent / "cypher"


class CypherText(str):
    """A query's text that says only its name in a ``repr``.

    The driver formats every RUN for a debug log line even when debug logging is off
    (neo4j 6.4, ``_bolt5.py``: ``" ".join(map(repr, fields))``, the query text
    included): ≈ 54 µs of client CPU a run for the 10 KB stakeholder read, more than
    the rest of its RUN. ``str()`` of it is itself, so the driver, which calls
    ``str(query)``, sends this object and formats it in a few characters. The text the
    server receives is unchanged; a text joined to another is a plain ``str`` again
    unless both are :class:`CypherText` (an anchor and a body).
    """

    __slots__ = ("name",)
    name: str

    def __new__(cls, text: str, name: str) -> CypherText:
        made = super().__new__(cls, text)
        made.name = name
        return made

    def __str__(self) -> str:
        return self

    def __repr__(self) -> str:
        return f"<cypher {self.name}: {len(self)} chars>"

    def __add__(self, other: str) -> str:
        if isinstance(other, CypherText):
            return CypherText(str.__add__(self, other), f"{self.name}+{other.name}")
        return str.__add__(self, other)


@cache
def cypher(name: str) -> CypherText:
    """The text of ``cypher/<name>.cypher`` (``name`` may contain one sub-folder)."""
    path = (CYPHER_DIR / f"{name}.cypher").resolve()
    if CYPHER_DIR not in path.parents:
        raise ValueError(f"query name escapes the cypher directory: {name!r}")
    return CypherText(without_comment_lines(path.read_text(encoding="utf-8")), name)


def without_comment_lines(text: str) -> str:
    """``text`` without its whole-line ``//`` comments: what the files explain for their
    readers need not travel to the server with every run (the stakeholder read is 11 KB
    with them, 10 KB without; Neo4j spent ≈ 8 % less CPU a run without them)."""
    lines = text.splitlines(keepends=True)  # a file's last newline kept: texts are joined
    return "".join(line for line in lines if not line.lstrip().startswith("//"))
