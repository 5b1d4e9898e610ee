"""The saved-query catalog: ``cypher/NAME.cypher`` files with a header of ``//`` tags.

The header format is documented for analysts in ``docs/queries.md``::

    // @title Budgets and their controllers
    // @description Every budget of an account with the people who control it.
    // @param account_id: string required -- The account's id.
    // @param theta: float = 0.2 -- Active-tie threshold.
    // @column budget_id: The budget's id.
    MATCH ...

The catalog re-reads a file when its modification time or size changes (checked on
every access, which costs one ``stat`` per file), and :meth:`Catalog.reload` re-reads
everything. A file with a malformed header is reported with its line and left out;
the other queries keep working.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from service.domain.errors import NotFound
from service.domain.queries.params import ParamSpec, ParamType, parse_default

__all__ = [
    "DEFAULT_QUERIES_DIR",
    "Catalog",
    "CatalogError",
    "Column",
    "HeaderError",
    "SavedQuery",
    "parse_query_file",
]

# The repository's ``cypher/`` folder (this file is service/domain/queries/catalog.py).
DEFAULT_QUERIES_DIR = Path(__file__).resolve().parents[3] / "cypher"

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_TYPES = "|".join(re.escape(t.value) for t in sorted(ParamType, key=lambda t: -len(t.value)))
# A description follows " -- " (or an em dash, for those who type one).
_DESCRIPTION = r"(?:\s+(?:--|\u2014)\s+(?P<description>.*))?"
PARAM_LINE = re.compile(
    rf"^(?P<name>{_IDENTIFIER})\s*:\s*(?P<type>{_TYPES})\s+"
    rf"(?:(?P<required>required)|=\s*(?P<default>.+?))" + _DESCRIPTION + r"\s*$"
)
COLUMN_LINE = re.compile(rf"^(?P<name>{_IDENTIFIER})\s*:\s*(?P<description>.*?)\s*$")
TAGS = ("title", "description", "param", "column")


@dataclass(frozen=True)
class Column:
    name: str
    description: str


@dataclass(frozen=True)
class SavedQuery:
    """One catalog entry; ``cypher`` is the whole file (the header is Cypher comments)."""

    name: str
    title: str
    description: str
    params: tuple[ParamSpec, ...]
    columns: tuple[Column, ...]
    cypher: str
    path: Path


@dataclass(frozen=True)
class CatalogError:
    """A file the catalog could not load, and where the problem is (1-based line)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class HeaderError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class _Tag:
    name: str
    text: str
    line: int


def _header_tags(text: str) -> tuple[list[_Tag], int]:
    """The header's tags (continuation lines folded in) and the line the body starts on."""
    tags: list[_Tag] = []
    lines = text.splitlines()
    body_line = len(lines) + 1
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        if not stripped.startswith("//"):
            body_line = number
            break
        content = stripped[2:].strip()
        if not content:
            continue  # an empty comment line separates paragraphs, nothing more
        if content.startswith("@"):
            tag, _, rest = content[1:].partition(" ")
            if tag not in TAGS:
                raise HeaderError(number, f"unknown tag @{tag}; the tags are @{', @'.join(TAGS)}")
            tags.append(_Tag(tag, rest.strip(), number))
        elif tags:
            tags[-1].text = f"{tags[-1].text} {content}".strip()
        else:
            raise HeaderError(number, "the header must start with a tag such as @title")
    return tags, body_line


def _param(tag: _Tag) -> ParamSpec:
    match = PARAM_LINE.match(tag.text)
    if match is None:
        raise HeaderError(
            tag.line,
            "a parameter reads `@param NAME: TYPE required -- description` or "
            "`@param NAME: TYPE = DEFAULT -- description`; "
            f"TYPE is one of {', '.join(t.value for t in ParamType)}",
        )
    ptype = ParamType(match["type"])
    description = (match["description"] or "").strip()
    if not description:
        raise HeaderError(tag.line, f"parameter {match['name']} needs a description after --")
    default = None
    if match["default"] is not None:
        try:
            default = parse_default(ptype, match["default"])
        except ValueError as exc:
            raise HeaderError(
                tag.line, f"the default of {match['name']} is not a valid {ptype.value}: {exc}"
            ) from None
    return ParamSpec(
        name=match["name"],
        type=ptype,
        required=match["required"] is not None,
        default=default,
        description=description,
    )


def _column(tag: _Tag) -> Column:
    match = COLUMN_LINE.match(tag.text)
    if match is None or not match["description"]:
        raise HeaderError(tag.line, "a column reads `@column NAME: description`")
    return Column(match["name"], match["description"])


def parse_query_file(name: str, text: str, path: Path | None = None) -> SavedQuery:
    """Parse one catalog file; :class:`HeaderError` (with its line) when it is malformed."""
    if not NAME_PATTERN.match(name):
        raise HeaderError(1, "file names are lower-case letters, digits and _ (NAME.cypher)")
    tags, body_line = _header_tags(text)
    if body_line > len(text.splitlines()):
        raise HeaderError(max(body_line - 1, 1), "there is no query after the header")
    singles: dict[str, _Tag] = {}
    params: list[ParamSpec] = []
    columns: list[Column] = []
    for tag in tags:
        if tag.name in ("title", "description"):
            if tag.name in singles:
                raise HeaderError(
                    tag.line, f"@{tag.name} appears twice (first on line {singles[tag.name].line})"
                )
            if not tag.text:
                raise HeaderError(tag.line, f"@{tag.name} is empty")
            singles[tag.name] = tag
        elif tag.name == "param":
            spec = _param(tag)
            if any(p.name == spec.name for p in params):
                raise HeaderError(tag.line, f"parameter {spec.name} is declared twice")
            params.append(spec)
        else:
            column = _column(tag)
            if any(c.name == column.name for c in columns):
                raise HeaderError(tag.line, f"column {column.name} is declared twice")
            columns.append(column)
    for required in ("title", "description"):
        if required not in singles:
            raise HeaderError(1, f"the header has no @{required}")
    if not columns:
        raise HeaderError(1, "the header declares no @column")
    return SavedQuery(
        name=name,
        title=singles["title"].text,
        description=singles["description"].text,
        params=tuple(params),
        columns=tuple(columns),
        cypher=text,
        path=path or Path(f"{name}.cypher"),
    )


@dataclass(frozen=True)
class _Loaded:
    stamp: tuple[int, int]  # (mtime_ns, size): a change in either means "read again"
    query: SavedQuery | None
    error: CatalogError | None


class Catalog:
    """The ``*.cypher`` files of one folder, re-read when they change. Thread-safe."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files: dict[str, _Loaded] = {}
        self._lock = threading.Lock()

    def _stamps(self) -> dict[str, tuple[int, int]]:
        stamps: dict[str, tuple[int, int]] = {}
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            return stamps
        for entry in entries:
            if entry.name.endswith(".cypher") and entry.is_file():
                info = entry.stat()
                stamps[entry.name] = (info.st_mtime_ns, info.st_size)
        return stamps

    def _load(self, filename: str, stamp: tuple[int, int]) -> _Loaded:
        path = self.directory / filename
        try:
            text = path.read_text(encoding="utf-8")
            query = parse_query_file(filename.removesuffix(".cypher"), text, path)
        except HeaderError as exc:
            return _Loaded(stamp, None, CatalogError(filename, exc.line, exc.message))
        except (OSError, UnicodeDecodeError) as exc:
            return _Loaded(stamp, None, CatalogError(filename, 1, f"cannot read the file: {exc}"))
        return _Loaded(stamp, query, None)

    def _refresh(self, *, force: bool = False) -> dict[str, _Loaded]:
        with self._lock:
            stamps = self._stamps()
            for filename in set(self._files) - set(stamps):
                del self._files[filename]
            for filename, stamp in stamps.items():
                known = self._files.get(filename)
                if force or known is None or known.stamp != stamp:
                    self._files[filename] = self._load(filename, stamp)
            return dict(self._files)

    def entries(self) -> tuple[list[SavedQuery], list[CatalogError]]:
        """Every loadable query (by name) and every broken file (by file name)."""
        files = self._refresh()
        return self._split(files)

    def reload(self) -> tuple[list[SavedQuery], list[CatalogError]]:
        """Re-read every file, changed or not."""
        return self._split(self._refresh(force=True))

    @staticmethod
    def _split(files: dict[str, _Loaded]) -> tuple[list[SavedQuery], list[CatalogError]]:
        queries = sorted((f.query for f in files.values() if f.query), key=lambda q: q.name)
        errors = sorted((f.error for f in files.values() if f.error), key=lambda e: e.file)
        return queries, errors

    def get(self, name: str) -> SavedQuery:
        """The query ``name``; NotFound when there is none or its file is broken."""
        loaded = self._refresh().get(f"{name}.cypher")
        if loaded is None or not NAME_PATTERN.match(name):
            raise NotFound(f"no saved query named {name!r}")
        if loaded.query is None:
            raise NotFound(f"saved query {name!r} cannot be used: {loaded.error}")
        return loaded.query
