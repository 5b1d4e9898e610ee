"""The CRM picklist mappings: one TOML file, read with the standard library's ``tomllib``.

The defaults are ``mappings.toml`` next to this module (shipped with the package); an
operator's copy is read with :func:`load_mappings` ``(path)`` and replaces them as a
whole. Every Powermap value in the file is checked against the model's vocabulary when
the file is read, so a typo fails at load time, naming the file and the key, rather
than in the middle of a sync.

>>> m = load_mappings()
>>> m.salesforce.roles.lookup("Economic Decision Maker")
('economic_buyer', 'decision_maker')
>>> m.salesforce.stages.lookup("Closed Won"), m.hubspot.roles.lookup("OTHER")
('closed_won', None)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar, cast, get_args

from service.analytics.model import RoleName
from service.domain.ingest.rows import Stage, TeamRole, Tier

__all__ = [
    "CrmMappings",
    "HubSpotMappings",
    "MappingError",
    "Mappings",
    "SalesforceMappings",
    "configured_mappings",
    "load_mappings",
]

V = TypeVar("V")
DEFAULT_MAPPINGS_FILE = "mappings.toml"

_ROLES = frozenset(get_args(RoleName))
_STAGES = frozenset(get_args(Stage))
_TEAM_ROLES = frozenset(get_args(TeamRole))
_TIERS = frozenset(get_args(Tier))


class MappingError(ValueError):
    """The mappings file is not valid (the message names the file and the key)."""


@dataclass(frozen=True, slots=True)
class CrmMappings(Generic[V]):
    """One picklist's table: CRM value → Powermap value.

    :meth:`lookup` tries the value exactly, then case-insensitively; ``None`` when no
    row names it (the caller counts it as unmapped).
    """

    table: Mapping[str, V]

    def lookup(self, value: str) -> V | None:
        if value in self.table:
            return self.table[value]
        folded = value.casefold()
        for key, mapped in self.table.items():
            if key.casefold() == folded:
                return mapped
        return None


@dataclass(frozen=True, slots=True)
class SalesforceMappings:
    tier_field: str
    tier_default: Tier
    tiers: CrmMappings[Tier]
    roles: CrmMappings[tuple[RoleName, ...]]
    stages: CrmMappings[Stage]
    team_roles: CrmMappings[TeamRole]
    team_role_default: TeamRole


@dataclass(frozen=True, slots=True)
class HubSpotMappings:
    manager_label: str
    tier_property: str
    tier_default: Tier
    tiers: CrmMappings[Tier]
    roles: CrmMappings[tuple[RoleName, ...]]
    stages: CrmMappings[Stage]
    owner_team_role: TeamRole


@dataclass(frozen=True, slots=True)
class Mappings:
    """Everything the translators map: both CRMs and the stance a CRM role gets."""

    salesforce: SalesforceMappings
    hubspot: HubSpotMappings
    default_stance: int
    stances: Mapping[RoleName, int]
    source: str  # the file they were read from

    def stance(self, role: RoleName) -> int:
        return self.stances.get(role, self.default_stance)


class _Reader:
    def __init__(self, data: Mapping[str, Any], source: str) -> None:
        self.data = data
        self.source = source

    def fail(self, key: str, reason: str) -> MappingError:
        return MappingError(f"{self.source}: {key}: {reason}")

    def table(self, key: str) -> Mapping[str, Any]:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise self.fail(key, "missing table")
            node = node[part]
        if not isinstance(node, Mapping):
            raise self.fail(key, "must be a table")
        return cast(Mapping[str, Any], node)

    def text(self, table: str, name: str) -> str:
        value = self.table(table).get(name)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{table}.{name}", "must be a non-empty string")
        return value

    def choice(self, key: str, value: Any, allowed: frozenset[str]) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise self.fail(key, f"{value!r} is not one of {sorted(allowed)}")
        return value

    def choices(self, table: str, allowed: frozenset[str]) -> dict[str, str]:
        return {
            key: self.choice(f"{table}.{key!r}", value, allowed)
            for key, value in self.table(table).items()
        }

    def role_lists(self, table: str) -> dict[str, tuple[RoleName, ...]]:
        out: dict[str, tuple[RoleName, ...]] = {}
        for key, value in self.table(table).items():
            if not isinstance(value, list):
                raise self.fail(f"{table}.{key!r}", "must be a list of roles")
            roles = [self.choice(f"{table}.{key!r}", v, _ROLES) for v in value]
            out[key] = cast(tuple[RoleName, ...], tuple(dict.fromkeys(roles)))
        return out

    def stance(self, key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not -2 <= value <= 2:
            raise self.fail(key, f"{value!r} is not a stance (an integer -2..2)")
        return value


def parse_mappings(data: Mapping[str, Any], source: str = "<mappings>") -> Mappings:
    """Check and type a parsed mappings document (the layout of ``mappings.toml``)."""
    r = _Reader(data, source)
    roles = r.table("roles")
    stances = {
        cast(RoleName, r.choice(f"roles.stance.{k}", k, _ROLES)): r.stance(f"roles.stance.{k}", v)
        for k, v in r.table("roles.stance").items()
    }
    sf = "salesforce"
    hs = "hubspot"
    return Mappings(
        salesforce=SalesforceMappings(
            tier_field=r.text(sf, "tier_field"),
            tier_default=cast(
                Tier, r.choice(f"{sf}.tier_default", r.table(sf).get("tier_default"), _TIERS)
            ),
            tiers=CrmMappings(cast(dict[str, Tier], r.choices(f"{sf}.tiers", _TIERS))),
            roles=CrmMappings(r.role_lists(f"{sf}.roles")),
            stages=CrmMappings(cast(dict[str, Stage], r.choices(f"{sf}.stages", _STAGES))),
            team_roles=CrmMappings(
                cast(dict[str, TeamRole], r.choices(f"{sf}.team_roles", _TEAM_ROLES))
            ),
            team_role_default=cast(
                TeamRole,
                r.choice(
                    f"{sf}.team_role_default", r.table(sf).get("team_role_default"), _TEAM_ROLES
                ),
            ),
        ),
        hubspot=HubSpotMappings(
            manager_label=r.text(hs, "manager_label"),
            tier_property=r.text(hs, "tier_property"),
            tier_default=cast(
                Tier, r.choice(f"{hs}.tier_default", r.table(hs).get("tier_default"), _TIERS)
            ),
            tiers=CrmMappings(cast(dict[str, Tier], r.choices(f"{hs}.tiers", _TIERS))),
            roles=CrmMappings(r.role_lists(f"{hs}.roles")),
            stages=CrmMappings(cast(dict[str, Stage], r.choices(f"{hs}.stages", _STAGES))),
            owner_team_role=cast(
                TeamRole,
                r.choice(f"{hs}.owner_team_role", r.table(hs).get("owner_team_role"), _TEAM_ROLES),
            ),
        ),
        default_stance=r.stance("roles.default_stance", roles.get("default_stance")),
        stances=stances,
        source=source,
    )


def load_mappings(path: Path | None = None) -> Mappings:
    """The mappings of ``path`` (an operator's copy), else the shipped defaults."""
    if path is None:
        ref = resources.files(__package__ or "service.domain.sync") / DEFAULT_MAPPINGS_FILE
        return parse_mappings(tomllib.loads(ref.read_text(encoding="utf-8")), DEFAULT_MAPPINGS_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path}: not valid TOML: {exc}") from exc
    return parse_mappings(data, str(path))


@lru_cache(maxsize=4)
def configured_mappings(path: Path | None) -> Mappings:
    """The mappings of the ``sync_mappings_file`` setting (None: the defaults), read once
    per process: the service reads the file when it starts, so a mistake stops it there."""
    return load_mappings(path)
