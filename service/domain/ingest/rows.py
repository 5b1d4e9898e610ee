"""The rows of an ingest batch, one typed dict per section (the contract CRMs code against).

Rows are ``TypedDict``s rather than models so that a validated row keeps exactly the
keys the caller sent: an **omitted** field means "leave it as stored", an explicit
``null`` means "clear it" (for ``reports_to``: the person no longer has a solid-line
manager). Validation is strict about JSON types (no ``"5"`` for a number, no ``true``
for a number), forbids unknown fields, and checks the vocabularies of
docs/graph-conventions.md; ids, dates and datetimes follow service/domain/values.py.

Every row may carry ``source_record_id``: the id of the CRM record it came from (e.g. a
Salesforce ``OpportunityContactRole`` Id), stored with the node or edge the row creates
or opens (docs/graph-conventions.md, "Provenance").
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, FailFast, Field, TypeAdapter
from typing_extensions import TypedDict

# One vocabulary for the model: the analytics define the authorities and buying roles.
from service.analytics.model import Authority
from service.analytics.model import RoleName as BuyingRole
from service.domain.values import Id, IsoDate, IsoDateOrDateTime, IsoDateTime

Text = Annotated[str, Field(max_length=2000)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Strength = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Stance = Annotated[int, Field(ge=-2, le=2)]
FiscalYear = Annotated[int, Field(ge=1900, le=2200)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]

# Lists inside one row are bounded too (docs/api-inputs.md, "Limits"): a row cannot make
# the service hold more than these, whatever the size of the body.
MAX_DOTTED_MANAGERS = 50
MAX_INTERACTION_PARTICIPANTS = 1000


class DottedEnd(TypedDict):
    """A ``dotted_reports_to`` entry that ends the dotted line to ``id`` at ``until``."""

    __pydantic_config__ = ConfigDict(extra="forbid", strict=True)  # type: ignore[misc]
    id: Id
    until: IsoDateTime


DottedManagers = Annotated[list[Id | DottedEnd], Field(max_length=MAX_DOTTED_MANAGERS)]
Participants = Annotated[list[Id], Field(min_length=1, max_length=MAX_INTERACTION_PARTICIPANTS)]

Tier = Literal["strategic", "key", "standard"]
Seniority = Literal["c_level", "vp", "director", "manager", "individual_contributor"]
TeamRole = Literal[
    "account_manager",
    "exec_sponsor",
    "solution_engineer",
    "customer_success",
    "sales_director",
    "partner_manager",
]
Stage = Literal[
    "prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"
]
InteractionKind = Literal["meeting", "call", "email", "event"]

ROW_CONFIG = ConfigDict(extra="forbid", strict=True)


class AccountRow(TypedDict):
    __pydantic_config__ = ROW_CONFIG  # type: ignore[misc]
    id: Id
    name: Text
    tier: NotRequired[Tier | None]
    industry: NotRequired[Text | None]
    annual_revenue: NotRequired[Amount | None]
    source_record_id: NotRequired[Text | None]


class StakeholderRow(TypedDict):
    __pydantic_config__ = ROW_CONFIG  # type: ignore[misc]
    id: Id
    account_id: Id  # the employer; another account than the stored one = employer change
    name: Text
    title: NotRequired[Text | None]
    email: NotRequired[Text | None]
    department: NotRequired[Text | None]
    seniority: NotRequired[Seniority | None]
    # Omitted: unchanged. null: no solid-line manager any more. An id: that manager.
    reports_to: NotRequired[Id | None]
    # Omitted: unchanged. A list (or null = []): the complete set of dotted-line managers
    # (its plain ids); {"id", "until"} entries end those lines. A list of such entries
    # only ends lines and leaves the others (docs/api-inputs.md).
    dotted_reports_to: NotRequired[DottedManagers | None]
    source_record_id: NotRequired[Text | None]
    # The person left then: as POST /v1/stakeholders/{id}/departure (every current edge
    # of theirs closed at left_at); the row does not reactivate them.
    left_at: NotRequired[IsoDateTime]


class TeamMemberRow(TypedDict):
    __pydantic_config__ = ROW_CONFIG  # type: ignore[misc]
    id: Id
    name: Text
    email: NotRequired[Text | None]
    role: NotRequired[TeamRole | None]
    source_record_id: NotRequired[Text | None]
    # The team member left then: as POST /v1/team-members/{id}/departure.
    left_at: NotRequired[IsoDateTime]


class BudgetRow(TypedDict):
    __pydantic_config__ = ROW_CONFIG  # type: ignore[misc]
    id: Id
    account_id: Id
    name: Text
    amount: NotRequired[Amount | None]
    currency: NotRequired[Currency | None]
    fiscal_year: NotRequired[FiscalYear | None]
    category: NotRequired[Text | None]
    source_record_id: NotRequired[Text | None]


class OpportunityRow(TypedDict):
    __pydantic_config__ = ROW_CONFIG  # type: ignore[misc]
    id: Id
    account_id: Id
    name: Text
    stage: NotRequired[Stage | None]
    amount: NotRequired[Amount | None]
    close_date: NotRequired[IsoDate | None]
    source_record_id: NotRequired[Text | None]


class ControlRow(TypedDict):
    """A budget control; with ``until`` the current control of (stakeholder, budget,
    authority) ends then."""

    __pydantic_config__ = ROW_CONFIG  # type: ignore[misc]
    stakeholder_id: Id
    budget_id: Id
    authority: Authority
    source_record_id: NotRequired[Text | None]
    until: NotRequired[IsoDateTime | None]


class RoleRow(TypedDict):
    """A buying role on an account or an opportunity (exactly one of the two ids); with
    ``until`` the current role ends then (``stance`` is then optional and ignored)."""

    __pydantic_config__ = ROW_CONFIG  # type: ignore[misc]
    stakeholder_id: Id
    role: BuyingRole
    stance: NotRequired[Stance]  # required unless until is given (validation)
    account_id: NotRequired[Id | None]
    opportunity_id: NotRequired[Id | None]
    source_record_id: NotRequired[Text | None]
    until: NotRequired[IsoDateTime | None]


class InfluenceRow(TypedDict):
    """An influence line; with ``until`` the current line ends then (``strength`` is
    then optional and ignored)."""

    __pydantic_config__ = ROW_CONFIG  # type: ignore[misc]
    from_id: Id
    to_id: Id
    strength: NotRequired[Strength]  # required unless until is given (validation)
    source_record_id: NotRequired[Text | None]
    until: NotRequired[IsoDateTime | None]


class RelationshipRow(TypedDict):
    """Our explicit relationship to a stakeholder; it wins over interaction-derived ones.
    With ``until`` the current explicit tie ends then (``strength`` and ``last_contact``
    are then optional and ignored)."""

    __pydantic_config__ = ROW_CONFIG  # type: ignore[misc]
    team_member_id: Id
    stakeholder_id: Id
    strength: NotRequired[Strength]  # required unless until is given (validation)
    last_contact: NotRequired[IsoDateOrDateTime | None]
    source_record_id: NotRequired[Text | None]
    until: NotRequired[IsoDateTime | None]


class CoverageRow(TypedDict):
    """An account-team assignment; with ``until`` the current one ends then."""

    __pydantic_config__ = ROW_CONFIG  # type: ignore[misc]
    team_member_id: Id
    account_id: Id
    role: NotRequired[TeamRole | None]
    source_record_id: NotRequired[Text | None]
    until: NotRequired[IsoDateTime | None]


class InteractionRow(TypedDict):
    __pydantic_config__ = ROW_CONFIG  # type: ignore[misc]
    id: Id
    kind: InteractionKind
    at: IsoDateTime
    team_member_ids: Participants
    stakeholder_ids: Participants
    source_record_id: NotRequired[Text | None]


class IngestBatch(TypedDict, total=False):
    """The whole batch; only used to document the request body in OpenAPI."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    effective_at: IsoDateTime
    accounts: list[AccountRow]
    stakeholders: list[StakeholderRow]
    team_members: list[TeamMemberRow]
    budgets: list[BudgetRow]
    opportunities: list[OpportunityRow]
    controls: list[ControlRow]
    roles: list[RoleRow]
    influences: list[InfluenceRow]
    relationships: list[RelationshipRow]
    coverage: list[CoverageRow]
    interactions: list[InteractionRow]


# Section name -> its row type (in the order statements are written).
# The value fields a row of an edge section needs unless it ends the edge (`until`).
REQUIRED_UNLESS_UNTIL: dict[str, tuple[str, ...]] = {
    "roles": ("stance",),
    "influences": ("strength",),
    "relationships": ("strength",),
}

ROW_TYPES: dict[str, Any] = {
    "accounts": AccountRow,
    "stakeholders": StakeholderRow,
    "team_members": TeamMemberRow,
    "budgets": BudgetRow,
    "opportunities": OpportunityRow,
    "controls": ControlRow,
    "roles": RoleRow,
    "influences": InfluenceRow,
    "relationships": RelationshipRow,
    "coverage": CoverageRow,
    "interactions": InteractionRow,
}
# A whole section at once, stopping at its first bad row (the fast path of a good batch),
# and one row (to count and locate the errors of a bad section row by row).
SECTION_ADAPTERS: dict[str, TypeAdapter[list[Any]]] = {
    section: TypeAdapter(Annotated[list[row], FailFast()])  # type: ignore[valid-type,arg-type]
    for section, row in ROW_TYPES.items()
}
ROW_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    section: TypeAdapter(row) for section, row in ROW_TYPES.items()
}
SECTIONS: tuple[str, ...] = tuple(SECTION_ADAPTERS)
EFFECTIVE_AT = TypeAdapter(IsoDateTime)

# Sections whose rows are nodes keyed by `id`, with the label they are stored under.
NODE_SECTIONS: dict[str, str] = {
    "accounts": "Account",
    "stakeholders": "Stakeholder",
    "team_members": "TeamMember",
    "budgets": "Budget",
    "opportunities": "Opportunity",
    "interactions": "Interaction",
}
