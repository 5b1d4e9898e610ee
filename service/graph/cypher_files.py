"""Loads the service's own Cypher from ``service/graph/cypher/*.cypher`` by name.

Query text lives in files (reviewable, highlighted, testable in cypher-shell) and is
read once; values always travel as ``$parameters``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

CYPHER_DIR = Path(__file__).resolve().parent / "cypher"


@cache
def cypher(name: str) -> str:
    """The text of ``cypher/<name>.cypher`` (``name`` may contain one sub-folder)."""
    path = (CYPHER_DIR / f"{name}.cypher").resolve()
    if CYPHER_DIR not in path.parents:
        raise ValueError(f"query name escapes the cypher directory: {name!r}")
    return path.read_text(encoding="utf-8")
