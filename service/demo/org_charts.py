"""The demo's three accounts as org charts, our team and its coverage, and the name pool.

Pure specification (no randomness): :class:`AccountSpec` names every position above
manager level by a key (``cfo``, ``vp_mfg``, ``d_mfg_eng`` …); the builder in
:mod:`service.demo.portfolio` numbers the people in the documented order and draws
their names and the managers under each director.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "ACCOUNTS",
    "ACME",
    "BLUEBIRD",
    "COVERAGE",
    "FIRST_NAMES",
    "LAST_NAMES",
    "NORTHWIND",
    "TEAM",
    "AccountSpec",
    "Chief",
    "Director",
    "Staff",
    "Vp",
]


@dataclass(frozen=True)
class Director:
    key: str
    area: str
    managers: tuple[int, int] | None = None  # (min, max) managers; None = account default


@dataclass(frozen=True)
class Vp:
    key: str
    title: str
    directors: tuple[Director, ...]
    seniority: str = "vp"


@dataclass(frozen=True)
class Chief:
    key: str
    title: str
    department: str
    vps: tuple[Vp, ...] = ()


@dataclass(frozen=True)
class Staff:
    key: str
    title: str
    department: str
    seniority: str


@dataclass(frozen=True)
class AccountSpec:
    id: str
    name: str
    tier: str
    industry: str
    annual_revenue: float
    domain: str
    staff: tuple[Staff, ...]
    chiefs: tuple[Chief, ...]
    managers_per_director: tuple[int, int]


def _d(key: str, area: str, managers: tuple[int, int] | None = None) -> Director:
    return Director(key, area, managers)


ACME: Final = AccountSpec(
    id="acme",
    name="Acme Manufacturing",
    tier="strategic",
    industry="Industrial manufacturing",
    annual_revenue=5.2e9,
    domain="acme-mfg.example",
    staff=(Staff("cos", "Chief of Staff to the CEO", "Executive Office", "director"),),
    chiefs=(
        Chief(
            "cfo",
            "Chief Financial Officer",
            "Finance",
            (
                Vp(
                    "vp_controller",
                    "VP Finance & Corporate Controller",
                    (_d("d_reporting", "Financial Reporting"), _d("d_acctops", "Accounting")),
                ),
                Vp(
                    "vp_fpa",
                    "VP Financial Planning & Analysis",
                    (_d("d_bizplan", "Business Planning"), _d("d_capplan", "Capital Planning")),
                ),
            ),
        ),
        Chief(
            "cio",
            "Chief Information Officer",
            "Information Technology",
            (
                Vp(
                    "vp_infra",
                    "VP Infrastructure & Operations",
                    (_d("d_cloud", "Cloud Platforms"), _d("d_network", "Network Services")),
                ),
                Vp(
                    "ciso",
                    "Chief Information Security Officer",
                    (_d("d_secops", "Security Operations"),),
                ),
                # the two VPs the reorg moves to the new Chief Digital Officer
                Vp(
                    "vp_apps",
                    "VP Enterprise Applications",
                    (_d("d_erp", "ERP Systems"), _d("d_mes", "Manufacturing Systems")),
                ),
                Vp(
                    "vp_data",
                    "VP Data & Analytics",
                    (_d("d_data_eng", "Data Engineering"), _d("d_analytics", "Analytics")),
                ),
            ),
        ),
        Chief(
            "coo",
            "Chief Operating Officer",
            "Operations",
            (
                Vp(
                    "vp_mfg",
                    "VP Manufacturing",
                    (
                        _d("d_mfg_eng", "Manufacturing Engineering", (2, 2)),
                        _d("d_plant_ops", "Plant Operations", (2, 3)),
                        _d("d_lean", "Lean & Continuous Improvement"),
                    ),
                ),
                Vp(
                    "vp_supply",
                    "VP Supply Chain",
                    (_d("d_logistics", "Logistics"), _d("d_demand", "Demand Planning")),
                ),
                Vp("vp_quality", "VP Quality", (_d("d_qa", "Quality Assurance"),)),
            ),
        ),
        Chief(
            "cpo",
            "Chief Procurement Officer",
            "Procurement",
            (
                Vp(
                    "vp_sourcing",
                    "VP Strategic Sourcing",
                    (_d("d_indirect", "Indirect Procurement"), _d("d_itproc", "IT Procurement")),
                ),
            ),
        ),
        Chief(
            "cto",
            "Chief Technology Officer",
            "Engineering",
            (
                Vp(
                    "vp_product_eng",
                    "VP Product Engineering",
                    (_d("d_mech", "Mechanical Engineering"), _d("d_embedded", "Embedded Software")),
                ),
                Vp(
                    "vp_rnd",
                    "VP Research & Development",
                    (_d("d_materials", "Advanced Materials"),),
                ),
            ),
        ),
        Chief(
            "chro",
            "Chief Human Resources Officer",
            "Human Resources",
            (Vp("vp_talent", "VP Talent", (_d("d_ta", "Talent Acquisition"),)),),
        ),
        Chief(
            "cco",
            "Chief Commercial Officer",
            "Sales & Marketing",
            (
                Vp("vp_sales", "VP Sales EMEA", (_d("d_channel", "Channel Sales"),)),
                Vp("vp_marketing", "VP Marketing", (_d("d_digital_mkt", "Digital Marketing"),)),
            ),
        ),
    ),
    managers_per_director=(0, 2),
)
NORTHWIND: Final = AccountSpec(
    id="northwind",
    name="Northwind Bank",
    tier="key",
    industry="Financial services",
    annual_revenue=3.1e9,
    domain="northwind-bank.example",
    staff=(
        Staff("ea", "Executive Assistant to the CEO", "Executive Office", "individual_contributor"),
    ),
    chiefs=(
        Chief(
            "cfo",
            "Chief Financial Officer",
            "Finance",
            (
                Vp(
                    "vp_control",
                    "VP Financial Control",
                    (
                        _d("d_regrep", "Regulatory Reporting"),
                        _d("d_finacct", "Financial Accounting"),
                    ),
                ),
                Vp("treasurer", "Group Treasurer", (_d("d_liquidity", "Liquidity Management"),)),
            ),
        ),
        Chief(
            "cio",
            "Chief Information Officer",
            "Technology",
            (
                Vp(
                    "vp_core",
                    "VP Core Banking Platforms",
                    (_d("d_payments", "Payments Technology"), _d("d_core", "Core Systems")),
                ),
                Vp("vp_infra", "VP IT Infrastructure", (_d("d_dc", "Data Centre & Cloud"),)),
                # the champion who leaves
                Vp(
                    "vp_digital",
                    "VP Digital Channels",
                    (_d("d_mobile", "Mobile Banking"), _d("d_online", "Online Banking")),
                ),
            ),
        ),
        Chief(
            "cro",
            "Chief Risk Officer",
            "Risk",
            (
                Vp(
                    "vp_credit",
                    "VP Credit Risk",
                    (_d("d_credit_analytics", "Credit Risk Analytics"),),
                ),
                Vp("vp_oprisk", "VP Operational Risk", (_d("d_risktech", "Risk Technology"),)),
            ),
        ),
        Chief(
            "coo",
            "Chief Operating Officer",
            "Operations",
            (
                Vp(
                    "vp_retail_ops",
                    "VP Retail Banking Operations",
                    # the director of branch operations moves to Bluebird
                    (
                        _d("d_contact", "Contact Centre"),
                        _d("d_branch", "Branch Operations", (2, 2)),
                    ),
                ),
                Vp(
                    "vp_procurement",
                    "VP Procurement & Vendor Management",
                    (_d("d_vendor", "Vendor Management"),),
                ),
            ),
        ),
        Chief(
            "cdo",
            "Chief Data Officer",
            "Data",
            (Vp("vp_governance", "VP Data Governance", (_d("d_dq", "Data Quality"),)),),
        ),
        Chief(
            "chro",
            "Chief People Officer",
            "Human Resources",
            (Vp("vp_people", "VP People Operations", (_d("d_hrbp", "HR Business Partners"),)),),
        ),
        Chief(
            "gc",
            "General Counsel",
            "Legal",
            (Vp("dgc", "Deputy General Counsel", (_d("d_compliance", "Compliance"),)),),
        ),
    ),
    managers_per_director=(1, 2),
)
BLUEBIRD: Final = AccountSpec(
    id="bluebird",
    name="Bluebird Retail",
    tier="standard",
    industry="Retail",
    annual_revenue=1.4e9,
    domain="bluebird-retail.example",
    staff=(),
    chiefs=(
        Chief(
            "cfo",
            "Chief Financial Officer",
            "Finance",
            (Vp("vp_finance", "VP Finance", (_d("d_fp", "Financial Planning"),)),),
        ),
        Chief(
            "cio",
            "Chief Information Officer",
            "Information Technology",
            (
                Vp(
                    "vp_digital_tech",
                    "VP Digital Commerce Technology",
                    (_d("d_ecom", "E-commerce Platforms"),),
                ),
                Vp("vp_itops", "VP IT Operations", (_d("d_store_sys", "Store Systems"),)),
            ),
        ),
        Chief(
            "coo",
            "Chief Operating Officer",
            "Operations",
            (
                Vp(
                    "vp_stores",
                    "VP Store Operations",
                    (
                        _d("d_north", "Regional Operations North"),
                        _d("d_south", "Regional Operations South"),
                    ),
                ),
                Vp(
                    "vp_supply",
                    "VP Supply Chain & Logistics",
                    (_d("d_dcs", "Distribution Centres"),),
                ),
            ),
        ),
        Chief(
            "cmo",
            "Chief Marketing Officer",
            "Marketing",
            (Vp("vp_cust_mkt", "VP Customer Marketing", (_d("d_loyalty", "Loyalty Programme"),)),),
        ),
        Chief(
            "cmero",
            "Chief Merchandising Officer",
            "Merchandising",
            (
                Vp(
                    "vp_merch_planning",
                    "VP Merchandise Planning",
                    (_d("d_category", "Category Management"),),
                ),
            ),
        ),
    ),
    managers_per_director=(1, 3),
)

ACCOUNTS: Final = (ACME, NORTHWIND, BLUEBIRD)

TEAM: Final = (
    ("tm-ava", "Ava Thompson", "account_manager"),
    ("tm-ben", "Ben Okafor", "account_manager"),
    ("tm-chloe", "Chloe Martin", "solution_engineer"),
    ("tm-dev", "Dev Patel", "customer_success"),
    ("tm-elena", "Elena Rossi", "exec_sponsor"),
    ("tm-farah", "Farah Haddad", "account_manager"),
    ("tm-gus", "Gus Lindqvist", "sales_director"),
)
COVERAGE: Final = (
    ("tm-ava", "acme", "account_manager"),
    ("tm-elena", "acme", "exec_sponsor"),
    ("tm-gus", "acme", "sales_director"),
    ("tm-ben", "northwind", "account_manager"),
    ("tm-chloe", "northwind", "solution_engineer"),
    ("tm-dev", "northwind", "customer_success"),
    ("tm-elena", "northwind", "exec_sponsor"),
    ("tm-farah", "bluebird", "account_manager"),
    ("tm-chloe", "bluebird", "solution_engineer"),
    ("tm-dev", "bluebird", "customer_success"),
)

FIRST_NAMES: Final = (
    "Aaliyah",
    "Adrian",
    "Aiko",
    "Alejandro",
    "Amara",
    "Anders",
    "Anika",
    "Arjun",
    "Astrid",
    "Beatriz",
    "Bilal",
    "Bjorn",
    "Camille",
    "Carlos",
    "Chiara",
    "Cyrus",
    "Dalia",
    "Daniel",
    "Daria",
    "Diego",
    "Dmitri",
    "Elif",
    "Emeka",
    "Emma",
    "Esther",
    "Fatima",
    "Felix",
    "Freya",
    "Gabriel",
    "Grace",
    "Hamza",
    "Hannah",
    "Hiro",
    "Ines",
    "Isaac",
    "Ivana",
    "Jamal",
    "Jana",
    "Javier",
    "Jonas",
    "Julia",
    "Kai",
    "Kamala",
    "Karim",
    "Katarina",
    "Kenji",
    "Lars",
    "Leila",
    "Liam",
    "Lucia",
    "Luca",
    "Magnus",
    "Maya",
    "Mateo",
    "Mei",
    "Miguel",
    "Mira",
    "Nadia",
    "Naomi",
    "Nikhil",
    "Nina",
    "Noah",
    "Olga",
    "Omar",
    "Oscar",
    "Paloma",
    "Priya",
    "Rafael",
    "Rania",
    "Ravi",
    "Rosa",
    "Samir",
    "Sana",
    "Sofia",
    "Stefan",
    "Tariq",
    "Thea",
    "Tomas",
    "Uma",
    "Valentina",
    "Viktor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zara",
    "Zoe",
)
LAST_NAMES: Final = (
    "Abara",
    "Andersson",
    "Bauer",
    "Becker",
    "Bianchi",
    "Brennan",
    "Carvalho",
    "Castillo",
    "Chen",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Fontaine",
    "Garcia",
    "Gupta",
    "Hakimi",
    "Hansen",
    "Ibrahim",
    "Ito",
    "Jansen",
    "Kaur",
    "Keller",
    "Kim",
    "Kowalski",
    "Larsen",
    "Laurent",
    "Lopez",
    "Mahmoud",
    "Marino",
    "Mendes",
    "Meyer",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Novak",
    "Nowak",
    "Oduya",
    "Olsen",
    "Park",
    "Petrov",
    "Quinn",
    "Rahman",
    "Reyes",
    "Richter",
    "Rossi",
    "Sato",
    "Schmidt",
    "Sharma",
    "Silva",
    "Singh",
    "Sorensen",
    "Tanaka",
    "Torres",
    "Vasquez",
    "Vogel",
    "Walsh",
    "Weber",
    "Yilmaz",
    "Zhang",
)
