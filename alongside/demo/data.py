"""Fixed material for the demo organisation: offices, departments and titles (names: names.py).

Nothing here is random; ``alongside.demo.build`` draws from it with a seeded generator.
"""

from __future__ import annotations

from dataclasses import dataclass

ORGANISATION_NAME = "Kestrel Technologies"
ORGANISATION_SLUG = "kestrel"
ORGANISATION_TIME_ZONE = "Asia/Kolkata"
# Kestrel's people see Hindi until they choose; the five English sign-ins chose English,
# and one participant of the circles reads Alongside in Hindi (build.py).
ORGANISATION_LANGUAGE = "hi"
ENGLISH = "en-gb"
HINDI = "hi"
EMAIL_DOMAIN = "kestrel.example"
EMPLOYEE_ID_FORMAT = "KT-{:05d}"
SEED = 2026
DEMO_PASSWORD = "alongside-demo"
LOGIN_URL = "http://127.0.0.1:8000/accounts/login/"
ADMIN_URL = "http://127.0.0.1:8000/admin/"

# The company is about eight years old; the CEO joined on day one.
COMPANY_AGE_DAYS = 8 * 365
RECENT_JOINER_DAYS = 180

LEVELS = (
    "L1 Associate",
    "L2 Senior",
    "L3 Lead",
    "L4 Manager",
    "L5 Director",
    "L6 Executive",
)


def level_name(rank: int) -> str:
    """``1`` → ``"L1 Associate"``."""
    return LEVELS[rank - 1]


# --- Offices --------------------------------------------------------------------------


@dataclass(frozen=True)
class Office:
    location: str
    time_zones: tuple[tuple[str, float], ...]
    # Where the people sitting here come from, as name pools with weights.
    pools: tuple[tuple[str, float], ...]
    # The local language that people who moved here often pick up.
    local_language: str = ""
    local_language_share: float = 0.0


INDIAN_OFFICES = ("Bengaluru", "Pune", "Hyderabad")
LONDON = "London"
REMOTE_US = "Remote (United States)"
REMOTE_SINGAPORE = "Remote (Singapore)"

# fmt: off
OFFICES: dict[str, Office] = {
    "Bengaluru": Office(
        "Bengaluru",
        (("Asia/Kolkata", 1.0),),
        (
            ("kannada", 30), ("tamil", 14), ("telugu", 12), ("malayalam", 9),
            ("syrian_christian", 3), ("hindi", 14), ("bengali", 5), ("marathi", 3),
            ("urdu", 4), ("konkani", 3), ("gujarati", 1), ("punjabi", 2),
        ),
        local_language="Kannada",
        local_language_share=0.2,
    ),
    "Pune": Office(
        "Pune",
        (("Asia/Kolkata", 1.0),),
        (
            ("marathi", 45), ("hindi", 18), ("gujarati", 7), ("punjabi", 5), ("bengali", 5),
            ("urdu", 6), ("konkani", 5), ("kannada", 4), ("tamil", 2), ("malayalam", 3),
        ),
        local_language="Marathi",
        local_language_share=0.3,
    ),
    "Hyderabad": Office(
        "Hyderabad",
        (("Asia/Kolkata", 1.0),),
        (
            ("telugu", 50), ("urdu", 12), ("hindi", 12), ("tamil", 6), ("kannada", 4),
            ("bengali", 5), ("malayalam", 4), ("syrian_christian", 2), ("marathi", 3),
            ("punjabi", 2),
        ),
        local_language="Telugu",
        local_language_share=0.3,
    ),
    LONDON: Office(
        LONDON,
        (("Europe/London", 1.0),),
        (
            ("british", 50), ("british_gujarati", 8), ("british_punjabi", 6),
            ("british_muslim", 8), ("irish", 8), ("french", 5), ("spanish", 5),
            ("italian", 4), ("portuguese", 2), ("nigerian", 6),
        ),
    ),
    REMOTE_US: Office(
        REMOTE_US,
        (("America/Los_Angeles", 0.6), ("America/New_York", 0.4)),
        (
            ("american", 45), ("hispanic_american", 20), ("east_asian_american", 15),
            ("indian_american", 20),
        ),
    ),
    REMOTE_SINGAPORE: Office(
        REMOTE_SINGAPORE,
        (("Asia/Singapore", 1.0),),
        (("singapore_chinese", 60), ("singapore_malay", 20), ("singapore_indian", 20)),
    ),
}

# fmt: on


def mostly(city: str, share: float = 0.75) -> tuple[tuple[str, float], ...]:
    """A team that sits mostly in ``city``, with colleagues in the other Indian offices."""
    others = [office for office in INDIAN_OFFICES if office != city]
    rest = (1 - share) / len(others)
    return ((city, share), *((office, rest) for office in others))


# --- Departments ----------------------------------------------------------------------

# track → (L1 title, L2 title, L3 title, manager title)
TRACKS: dict[str, tuple[str, str, str, str]] = {
    "software": (
        "Software Engineer",
        "Senior Software Engineer",
        "Lead Software Engineer",
        "Engineering Manager",
    ),
    "mobile": (
        "Mobile Engineer",
        "Senior Mobile Engineer",
        "Lead Mobile Engineer",
        "Engineering Manager",
    ),
    "sre": (
        "Site Reliability Engineer",
        "Senior Site Reliability Engineer",
        "Lead Site Reliability Engineer",
        "Engineering Manager",
    ),
    "security": (
        "Security Engineer",
        "Senior Security Engineer",
        "Lead Security Engineer",
        "Security Engineering Manager",
    ),
    "data_engineering": (
        "Data Engineer",
        "Senior Data Engineer",
        "Lead Data Engineer",
        "Data Engineering Manager",
    ),
    "analytics": ("Data Analyst", "Senior Data Analyst", "Lead Data Analyst", "Analytics Manager"),
    "machine_learning": (
        "Machine Learning Engineer",
        "Senior Machine Learning Engineer",
        "Lead Machine Learning Engineer",
        "Engineering Manager",
    ),
    "quality": ("QA Engineer", "Senior QA Engineer", "QA Lead", "Quality Engineering Manager"),
    "product_management": (
        "Associate Product Manager",
        "Product Manager",
        "Senior Product Manager",
        "Group Product Manager",
    ),
    "design": (
        "Product Designer",
        "Senior Product Designer",
        "Lead Product Designer",
        "Design Manager",
    ),
    "research": (
        "UX Researcher",
        "Senior UX Researcher",
        "Lead UX Researcher",
        "UX Research Manager",
    ),
    "account_executive": (
        "Account Executive",
        "Senior Account Executive",
        "Principal Account Executive",
        "Sales Manager",
    ),
    "sales_development": (
        "Sales Development Representative",
        "Senior Sales Development Representative",
        "Sales Development Lead",
        "Sales Development Manager",
    ),
    "solutions": (
        "Solutions Engineer",
        "Senior Solutions Engineer",
        "Lead Solutions Engineer",
        "Solutions Engineering Manager",
    ),
    "customer_success": (
        "Customer Success Associate",
        "Customer Success Manager",
        "Senior Customer Success Manager",
        "Customer Success Team Manager",
    ),
    "implementation": (
        "Implementation Consultant",
        "Senior Implementation Consultant",
        "Lead Implementation Consultant",
        "Implementation Manager",
    ),
    "support": ("Support Engineer", "Senior Support Engineer", "Support Lead", "Support Manager"),
    "accounting": ("Accountant", "Senior Accountant", "Accounting Lead", "Accounting Manager"),
    "fpa": (
        "Financial Analyst",
        "Senior Financial Analyst",
        "Lead Financial Analyst",
        "FP&A Manager",
    ),
    "tax_payroll": (
        "Tax & Payroll Associate",
        "Tax & Payroll Specialist",
        "Tax & Payroll Lead",
        "Tax & Payroll Manager",
    ),
    "hr_business_partner": (
        "HR Associate",
        "HR Business Partner",
        "Senior HR Business Partner",
        "HR Business Partner Manager",
    ),
    "recruiting": ("Recruiter", "Senior Recruiter", "Lead Recruiter", "Talent Acquisition Manager"),
    "learning": (
        "Learning & Development Associate",
        "Learning & Development Specialist",
        "Senior Learning & Development Specialist",
        "Learning & Development Manager",
    ),
    "people_operations": (
        "People Operations Associate",
        "People Operations Specialist",
        "HRIS Lead",
        "People Operations Manager",
    ),
    "it": ("IT Support Associate", "IT Support Engineer", "IT Systems Lead", "IT Manager"),
    "workplace": (
        "Workplace Associate",
        "Workplace Coordinator",
        "Workplace Lead",
        "Workplace Manager",
    ),
    "legal": ("Legal Associate", "Legal Counsel", "Senior Legal Counsel", "Legal Manager"),
    "business_operations": (
        "Business Operations Analyst",
        "Senior Business Operations Analyst",
        "Business Operations Lead",
        "Business Operations Manager",
    ),
}


@dataclass(frozen=True)
class Team:
    """A manager (L4) and their direct reports (L1–L3 individual contributors)."""

    name: str
    track: str
    size: tuple[int, int]
    home: tuple[tuple[str, float], ...] = mostly("Bengaluru")
    # What tells this team's manager apart from others with the same title; the name if empty.
    focus: str = ""


@dataclass(frozen=True)
class Group:
    """A director's area. Without a director the team managers report to the head."""

    director_title: str | None
    teams: tuple[Team, ...]
    director_location: str = "Bengaluru"


@dataclass(frozen=True)
class Department:
    name: str
    head_title: str
    head_location: str
    groups: tuple[Group, ...]


CEO_TITLE = "Chief Executive Officer"
LEADERSHIP = "Leadership"
# People who report to the CEO outside any department: (title, level).
CEO_OFFICE = (("Chief of Staff", 5), ("Executive Assistant", 2))

DEPARTMENTS: tuple[Department, ...] = (
    Department(
        "Engineering",
        "Chief Technology Officer",
        "Bengaluru",
        (
            Group(
                "Director of Engineering – Platform",
                (
                    Team("Core Platform", "software", (6, 8)),
                    Team("Infrastructure", "sre", (5, 7), mostly("Pune")),
                    Team("Developer Experience", "software", (4, 6), mostly("Pune")),
                    Team("Security", "security", (4, 5)),
                ),
            ),
            Group(
                "Director of Engineering – Product",
                (
                    Team("Web App", "software", (6, 9)),
                    Team("Mobile", "mobile", (5, 7), mostly("Hyderabad")),
                    Team("Billing", "software", (5, 7), mostly("Pune")),
                    Team(
                        "Integrations",
                        "software",
                        (6, 8),
                        (("Bengaluru", 0.55), ("London", 0.35), (REMOTE_US, 0.1)),
                    ),
                    Team("Search", "software", (4, 6), mostly("Hyderabad")),
                ),
                director_location="Pune",
            ),
            Group(
                "Director of Engineering – Data",
                (
                    Team("Data Platform", "data_engineering", (5, 7), mostly("Hyderabad")),
                    Team("Analytics", "analytics", (4, 6), mostly("Hyderabad")),
                    Team("Machine Learning", "machine_learning", (5, 7)),
                ),
                director_location="Hyderabad",
            ),
            Group(
                "Director of Quality Engineering",
                (
                    Team("Test Automation", "quality", (5, 7), mostly("Pune")),
                    Team("Release Quality", "quality", (4, 6), mostly("Hyderabad")),
                ),
                director_location="Pune",
            ),
        ),
    ),
    Department(
        "Product",
        "Chief Product Officer",
        "Bengaluru",
        (
            Group(
                "Director of Product Management",
                (
                    Team("Core Product", "product_management", (4, 6)),
                    Team("Growth", "product_management", (4, 5), mostly("Pune")),
                ),
            ),
            Group(
                "Director of Design",
                (
                    Team("Product Design", "design", (5, 8)),
                    Team("User Research", "research", (4, 5)),
                ),
            ),
        ),
    ),
    Department(
        "Sales",
        "Chief Revenue Officer",
        "Bengaluru",
        (
            Group(
                "Director of Sales – India",
                (
                    Team(
                        "Enterprise Sales (South)",
                        "account_executive",
                        (5, 7),
                        focus="Enterprise South",
                    ),
                    Team(
                        "Enterprise Sales (West)",
                        "account_executive",
                        (5, 6),
                        mostly("Pune"),
                        focus="Enterprise West",
                    ),
                    Team(
                        "Mid-Market Sales",
                        "account_executive",
                        (5, 7),
                        mostly("Hyderabad"),
                        focus="Mid-Market",
                    ),
                    Team("Sales Development", "sales_development", (6, 9), mostly("Hyderabad")),
                ),
            ),
            Group(
                "Director of Sales – International",
                (
                    Team(
                        "UK & Europe Sales",
                        "account_executive",
                        (5, 7),
                        ((LONDON, 1.0),),
                        focus="UK & Europe",
                    ),
                    Team(
                        "North America Sales",
                        "account_executive",
                        (4, 5),
                        ((REMOTE_US, 1.0),),
                        focus="North America",
                    ),
                    Team(
                        "APAC Sales",
                        "account_executive",
                        (4, 5),
                        ((REMOTE_SINGAPORE, 1.0),),
                        focus="APAC",
                    ),
                ),
                director_location=LONDON,
            ),
            Group(
                None,
                (Team("Solutions Engineering", "solutions", (5, 7), mostly("Bengaluru", 0.85)),),
            ),
        ),
    ),
    Department(
        "Customer Success",
        "VP Customer Success",
        "Hyderabad",
        (
            Group(
                "Director of Customer Success",
                (
                    Team(
                        "Enterprise Accounts",
                        "customer_success",
                        (5, 7),
                        mostly("Hyderabad"),
                        focus="Enterprise",
                    ),
                    Team(
                        "Mid-Market Accounts",
                        "customer_success",
                        (6, 8),
                        mostly("Hyderabad"),
                        focus="Mid-Market",
                    ),
                    Team(
                        "EMEA Accounts", "customer_success", (4, 6), ((LONDON, 1.0),), focus="EMEA"
                    ),
                    Team("Implementation", "implementation", (5, 7), mostly("Pune")),
                ),
                director_location="Hyderabad",
            ),
            Group(
                "Director of Support",
                (
                    Team("Technical Support", "support", (7, 9), mostly("Hyderabad")),
                    Team("Support Operations", "support", (4, 6), mostly("Pune")),
                ),
                director_location="Hyderabad",
            ),
        ),
    ),
    Department(
        "Finance",
        "Chief Financial Officer",
        "Bengaluru",
        (
            Group(
                "Financial Controller",
                (
                    Team("Accounting", "accounting", (4, 6)),
                    Team("Tax & Payroll", "tax_payroll", (4, 5), mostly("Pune")),
                ),
            ),
            Group(None, (Team("FP&A", "fpa", (4, 6)),)),
        ),
    ),
    Department(
        "People & HR",
        "Chief People Officer",
        "Bengaluru",
        (
            Group(
                "Director of People",
                (
                    Team("HR Business Partners", "hr_business_partner", (4, 6)),
                    Team("Talent Acquisition", "recruiting", (6, 8), mostly("Hyderabad", 0.5)),
                ),
            ),
            Group(
                None,
                (
                    Team("Learning & Development", "learning", (4, 5)),
                    Team("People Operations", "people_operations", (4, 5), mostly("Pune")),
                ),
            ),
        ),
    ),
    Department(
        "Operations",
        "Chief Operating Officer",
        "Bengaluru",
        (
            Group(
                "Director of Workplace & IT",
                (
                    Team("IT", "it", (5, 7)),
                    Team(
                        "Workplace (Bengaluru)",
                        "workplace",
                        (4, 5),
                        (("Bengaluru", 1.0),),
                        focus="Bengaluru",
                    ),
                    Team("Workplace (Pune)", "workplace", (4, 4), (("Pune", 1.0),), focus="Pune"),
                    Team(
                        "Workplace (Hyderabad)",
                        "workplace",
                        (4, 4),
                        (("Hyderabad", 1.0),),
                        focus="Hyderabad",
                    ),
                ),
            ),
            Group(
                None,
                (
                    Team("Legal", "legal", (4, 5), mostly("Bengaluru", 0.6)),
                    Team("Business Operations", "business_operations", (4, 6)),
                ),
            ),
        ),
    ),
)


# --- The three sign-ins ---------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    """A person in the directory who can sign in to the demo, placed in a fixed seat."""

    role: str  # an ``organisations.models.Role`` value
    given: str
    family: str
    pool: str
    location: str
    department: str
    team: str
    seat: str  # "manager", or "member" for the team's first member


# fmt: off
DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        "admin", "Ananya", "Rao", "kannada", "Bengaluru",
        "People & HR", "People Operations", "manager",
    ),
    DemoLogin(
        "programme_manager", "Meera", "Krishnan", "tamil", "Bengaluru",
        "People & HR", "Learning & Development", "manager",
    ),
    DemoLogin(
        "member", "Rohan", "Kulkarni", "marathi", "Pune",
        "Engineering", "Billing", "member",
    ),
)
# fmt: on
