"""The shipped mappings file is exactly issue 11's tables; an operator's copy replaces it;
a bad copy fails at load time naming the key; the two new buying roles are in the model."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.analytics.engagement import key_stakeholders
from service.analytics.model import KEY_ROLES, AccountGraph, Role, Stakeholder
from service.domain.ingest.rows import ROW_ADAPTERS
from service.domain.sync.mappings import MappingError, load_mappings
from service.domain.sync.salesforce import read_salesforce_dir, translate_salesforce
from service.domain.sync.snapshot import Unmapped

SHIPPED = Path(__file__).parents[2] / "service" / "domain" / "sync" / "mappings.toml"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "salesforce"
AT = datetime(2026, 10, 1, tzinfo=UTC)


def test_salesforce_defaults_are_the_issue_tables() -> None:
    sf = load_mappings().salesforce
    assert dict(sf.roles.table) == {
        "Decision Maker": ("decision_maker",),
        "Economic Buyer": ("economic_buyer",),
        "Economic Decision Maker": ("economic_buyer", "decision_maker"),
        "Executive Sponsor": ("executive_sponsor",),
        "Technical Buyer": ("technical_buyer",),
        "Evaluator": ("evaluator",),
        "Influencer": ("influencer",),
        "Business User": ("user",),
    }
    assert sf.roles.lookup("Other") is None
    assert dict(sf.stages.table) == {
        "Prospecting": "prospecting",
        "Qualification": "qualification",
        "Needs Analysis": "qualification",
        "Value Proposition": "proposal",
        "Id. Decision Makers": "proposal",
        "Perception Analysis": "proposal",
        "Proposal/Price Quote": "proposal",
        "Negotiation/Review": "negotiation",
        "Closed Won": "closed_won",
        "Closed Lost": "closed_lost",
    }
    assert dict(sf.team_roles.table) == {
        "Account Manager": "account_manager",
        "Executive Sponsor": "exec_sponsor",
        "Sales Engineer": "solution_engineer",
        "Solution Engineer": "solution_engineer",
        "Customer Success Manager": "customer_success",
    }
    assert sf.team_role_default == "account_manager"
    assert (sf.tier_field, sf.tier_default) == ("Tier__c", "standard")
    assert dict(sf.tiers.table) == {"Strategic": "strategic", "Key": "key", "Standard": "standard"}


def test_hubspot_defaults_are_the_issue_tables() -> None:
    hs = load_mappings().hubspot
    assert dict(hs.roles.table) == {
        "DECISION_MAKER": ("decision_maker",),
        "BUDGET_HOLDER": ("economic_buyer",),
        "EXECUTIVE_SPONSOR": ("executive_sponsor",),
        "INFLUENCER": ("influencer",),
        "END_USER": ("user",),
        "CHAMPION": ("champion",),
        "BLOCKER": ("detractor",),
        "LEGAL_AND_COMPLIANCE": ("gatekeeper",),
    }
    assert hs.roles.lookup("OTHER") is None
    assert (hs.manager_label, hs.owner_team_role) == ("Manager", "account_manager")
    assert hs.stages.lookup("closedwon") == "closed_won"
    assert hs.stages.lookup("appointmentscheduled") == "prospecting"


def test_lookup_is_exact_first_then_case_insensitive() -> None:
    sf = load_mappings().salesforce
    assert sf.stages.lookup("closed won") == "closed_won"
    assert sf.roles.lookup("DECISION MAKER") == ("decision_maker",)
    assert sf.roles.lookup("Decision  Maker") is None


def test_stances_default_and_per_role() -> None:
    m = load_mappings()
    assert (m.stance("champion"), m.stance("detractor"), m.stance("evaluator")) == (1, -1, 0)


def test_an_operators_copy_replaces_every_row(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    text = text.replace('"Evaluator" = ["evaluator"]', '"Evaluator" = ["technical_buyer"]')
    text = text.replace('tier_field = "Tier__c"', 'tier_field = "Segment__c"')
    text = text.replace('# "Other" and anything else: no role, counted as unmapped.\n', "", 1)
    text = text.replace('"Business User" = ["user"]', '"Business User" = ["user"]\n"Other" = []')
    custom = tmp_path / "mine.toml"
    custom.write_text(text, encoding="utf-8")
    m = load_mappings(custom)
    assert m.source == str(custom)
    snap = translate_salesforce(
        read_salesforce_dir(FIXTURES / "month1_snapshot"),
        mode="snapshot",
        effective_at=AT,
        mappings=m,
    )
    jill_opportunity = [r.role for r in snap.roles if r.source_record_id == "00K5g00000oCr07EAC"]
    assert jill_opportunity == ["technical_buyer"]
    # "Other" is now mapped to no role on purpose: no longer counted; the tier column
    # Segment__c is absent from the file, so the tier is omitted, not "standard".
    assert snap.unmapped == (
        Unmapped("AccountTeamMember", "TeamMemberRole", "Channel Partner", 1),
        Unmapped("Opportunity", "StageName", "Discovery", 1),
    )
    assert all("tier" in a.omitted for a in snap.accounts)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"Evaluator" = ["evaluator"]', '"Evaluator" = ["judge"]', "salesforce.roles.'Evaluator'"),
        ('"Closed Won" = "closed_won"', '"Closed Won" = "won"', "salesforce.stages.'Closed Won'"),
        ('owner_team_role = "account_manager"', 'owner_team_role = "boss"', "owner_team_role"),
        ("champion = 1", "champion = 3", "roles.stance.champion"),
        ("[hubspot.stages]", "[hubspot.stagez]", "hubspot.stages: missing table"),
        ('manager_label = "Manager"', 'manager_label = ""', "hubspot.manager_label"),
        ("[roles]", "[roles", "not valid TOML"),
    ],
)
def test_a_bad_mappings_file_fails_naming_the_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(MappingError, match=str(bad)) as caught:
        load_mappings(bad)
    assert message in str(caught.value)


def test_a_missing_mappings_file_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="cannot be read"):
        load_mappings(tmp_path / "absent.toml")


# --- the two new buying roles ------------------------------------------------------------


@pytest.mark.parametrize("role", ["executive_sponsor", "evaluator"])
def test_new_roles_are_accepted_by_the_batch_and_the_model(role: str) -> None:
    row = {"stakeholder_id": "p1", "role": role, "stance": 0, "account_id": "acme"}
    assert ROW_ADAPTERS["roles"].validate_python(row)["role"] == role
    assert Role("p1", role, "account", "acme").role == role  # type: ignore[arg-type]


def test_the_key_stakeholder_definition_does_not_change() -> None:
    assert {"decision_maker", "economic_buyer", "champion"} == KEY_ROLES
    account = AccountGraph(
        "acme",
        AT,
        stakeholders=(Stakeholder("p1", "Sponsor"), Stakeholder("p2", "Evaluator")),
        roles=(
            Role("p1", "executive_sponsor", "account", "acme"),
            Role("p2", "evaluator", "opportunity", "o1"),
        ),
    )
    assert key_stakeholders(account) == {}
