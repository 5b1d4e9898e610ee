"""The repository stands on its own: no reference to a document outside it, and every
pointer to a section of the docs (``docs/definitions.md, "Tie strength"``) names a
section that exists.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ["service", "tests", "docs", "bench", "cypher", "migrations", "widget/src"]
SUFFIXES = {".py", ".md", ".cypher", ".ts", ".js", ".css", ".html", ".toml"}
# Built from parts so that this file does not match itself.
OUTSIDE = re.compile("DES" + "IGN|" + re.escape("../" + "shared"))
POINTER = re.compile(r'(?:docs/)?([a-z-]+\.md)[,:]?\s+\(?"([^"]+)"')


def _files() -> list[Path]:
    files = [ROOT / "README.md"]
    for folder in SCANNED:
        files += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and p.suffix in SUFFIXES and "node_modules" not in p.parts
        ]
    return files


def test_nothing_points_outside_the_repository() -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OUTSIDE.search(line)
    ]
    assert hits == []


def _sections(doc: Path) -> set[str]:
    text = doc.read_text(encoding="utf-8")
    headings = {m.group(1).strip() for m in re.finditer(r"^#+\s+(.+)$", text, re.M)}
    bold = {m.group(1) for m in re.finditer(r"\*\*([^*]+)\*\*", text)}
    items = {m.group(1) for m in re.finditer(r"^- (.+)$", text, re.M)}
    return headings | bold | items


def test_every_pointer_to_a_docs_section_finds_it() -> None:
    docs = {p.name: _sections(p) for p in (ROOT / "docs").glob("*.md")}
    missing = []
    for path in _files():
        text = " ".join(path.read_text(encoding="utf-8").split())  # pointers may wrap
        for name, section in POINTER.findall(text):
            if name in docs and not any(s.startswith(section) for s in docs[name]):
                missing.append(f"{path.relative_to(ROOT)}: {name} {section!r}")
    assert missing == [], missing
