"""The import service: all or nothing, upsert by email, the directory, tenants."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.organisations.models import Organisation
from alongside.people.importing import (
    people_import_apply,
    people_import_confirm,
    people_import_discard,
    people_import_preview,
)
from alongside.people.models import Person, PersonImport
from tests.people import make_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    # The cast's users are created with a password; a slow hasher only slows the tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


HEADER = [
    "email",
    "name",
    "employee_id",
    "manager_email",
    "department",
    "job_title",
    "level",
    "location",
    "timezone",
    "languages",
    "start_date",
]

# A small, believable export: a CEO, two heads, their reports, across scripts.
EXPORT = [
    HEADER,
    [
        "meera.iyer@acme.in",
        "Meera Iyer",
        "E001",
        "",
        "Leadership",
        "CEO",
        "L6",
        "Bengaluru",
        "Asia/Kolkata",
        "English;Tamil",
        "2012-06-01",
    ],
    [
        "arjun.mehta@acme.in",
        "अर्जुन मेहता",
        "E002",
        "meera.iyer@acme.in",
        "Engineering",
        "Head of Engineering",
        "L5",
        "Pune",
        "Asia/Kolkata",
        "Hindi;Marathi;English",
        "2015-01-12",
    ],
    [
        "kavya.s@acme.in",
        "காவ்யா சுந்தரம்",
        "E003",
        "arjun.mehta@acme.in",
        "Engineering",
        "Engineer, Payments",
        "L3",
        "Chennai",
        "Asia/Kolkata",
        "Tamil;English",
        "2021-08-02",
    ],
    [
        "li.wei@acme.in",
        "李伟",
        "E004",
        "arjun.mehta@acme.in",
        "Engineering",
        "Engineer",
        "L3",
        "Singapore",
        "Asia/Singapore",
        "Mandarin;English",
        "2022-03-14",
    ],
    [
        "layla.haddad@acme.in",
        "ليلى حداد",
        "E005",
        "meera.iyer@acme.in",
        "Finance",
        "Head of Finance",
        "L5",
        "Dubai",
        "Asia/Dubai",
        "Arabic;English",
        "2018-11-05",
    ],
    [
        "joao.goncalves@acme.in",
        "João Gonçalves",
        "E006",
        "layla.haddad@acme.in",
        "Finance",
        "Analyst",
        "L2",
        "Lisbon",
        "Europe/Lisbon",
        "Portuguese",
        "2024-02-29",
    ],
]


def people(org: Organisation) -> dict[str, Person]:
    return {p.email: p for p in Person.objects.filter(organisation=org).select_related("manager")}


def apply(org: Organisation, data: bytes, **kwargs):  # type: ignore[no-untyped-def]
    return people_import_apply(organisation=org, actor=None, data=data, filename="hr.csv", **kwargs)


def problems_of(
    org: Organisation, data: bytes, **kwargs
) -> list[tuple[int | None, str | None, str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(AlongsideError) as caught:
        apply(org, data, **kwargs)
    assert caught.value.code == "import_invalid"
    return [(p.row, p.field, p.message) for p in caught.value.problems]


def test_first_import_creates_everyone_with_every_field_and_the_hierarchy(admin, org_a) -> None:
    before = Person.objects.filter(organisation=org_a).count()
    plan = people_import_apply(
        organisation=org_a, actor=admin, data=make_csv(EXPORT, bom=True), filename="hr.csv"
    )
    assert plan.summary == {"rows": 6, "created": 6, "updated": 0, "unchanged": 0, "deactivated": 0}
    assert Person.objects.filter(organisation=org_a).count() == before + 6
    directory = people(org_a)
    kavya = directory["kavya.s@acme.in"]
    assert kavya.name == "காவ்யா சுந்தரம்"
    assert kavya.employee_id == "E003"
    assert kavya.manager == directory["arjun.mehta@acme.in"]
    assert kavya.manager.manager == directory["meera.iyer@acme.in"]
    assert (kavya.department, kavya.job_title, kavya.level) == (
        "Engineering",
        "Engineer, Payments",
        "L3",
    )
    assert (kavya.location, kavya.timezone) == ("Chennai", "Asia/Kolkata")
    assert kavya.languages == ["Tamil", "English"]
    assert kavya.start_date == date(2021, 8, 2)
    assert kavya.is_active
    assert kavya.user is None
    assert directory["meera.iyer@acme.in"].manager is None
    event = AuditEvent.objects.get(action="people.imported")
    assert event.organisation == org_a
    assert event.actor == admin
    assert event.data == {"filename": "hr.csv", **plan.summary}


def test_names_in_any_script_round_trip_through_the_database(org_a) -> None:
    names = {row[0]: row[1] for row in EXPORT[1:]}
    names["zoe.nfd@acme.in"] = "Zoe\u0308 N\u0303u\u0301n\u0303ez"  # decomposed accents
    rows = [["email", "name"], *([e, n] for e, n in names.items())]
    apply(org_a, make_csv(rows, delimiter=";", bom=True))
    stored = dict(Person.objects.filter(organisation=org_a).values_list("email", "name"))
    for email, name in names.items():
        assert stored[email] == name


def test_dry_run_checks_everything_and_writes_nothing(org_a) -> None:
    plan = apply(org_a, make_csv(EXPORT), dry_run=True)
    assert plan.summary["created"] == 6
    assert not Person.objects.filter(organisation=org_a).exists()
    assert not AuditEvent.objects.exists()
    bad = make_csv([*EXPORT, ["x@acme.in", "X", "", "", "", "", "", "", "Asia/Calcutta2", "", ""]])
    assert problems_of(org_a, bad, dry_run=True)[0][:2] == (8, "timezone")


def test_one_bad_row_in_a_thousand_writes_nothing(admin, org_a) -> None:
    Person.objects.create(
        organisation=org_a, name="Existing", email="lead0@acme.in", department="Old"
    )
    rows = [["email", "name", "manager_email", "department"]]
    rows += [[f"lead{i}@acme.in", f"Lead {i}", "", "Ops"] for i in range(10)]
    rows += [[f"p{i}@acme.in", f"परीक्षा {i}", f"lead{i % 10}@acme.in", "Ops"] for i in range(989)]
    rows.insert(734, ["broken@acme.in", "Broken", "", "Ops"])
    rows[734][2] = "nobody@acme.in"  # the one bad row: an unknown manager, spreadsheet row 735
    assert len(rows) == 1001
    before = Person.objects.count()
    problems = problems_of(org_a, make_csv(rows))
    assert [(row, column) for row, column, _ in problems] == [(735, "manager_email")]
    assert Person.objects.count() == before
    assert Person.objects.get(email="lead0@acme.in").department == "Old"
    assert not AuditEvent.objects.filter(action="people.imported").exists()


def test_all_problems_are_returned_together_and_nothing_is_written(org_a) -> None:
    rows = [
        ["Email", "Name", "Manager Email", "Time Zone", "Start Date", "Shoe Size"],
        ["ok@acme.in", "Okay", "", "Asia/Kolkata", "2022-04-01", ""],
        ["bad@", "Bad", "", "", "", ""],
        ["OK@acme.in", "Dup", "", "", "", ""],
        ["m@acme.in", "M", "ghost@acme.in", "", "", ""],
        ["t@acme.in", "T", "", "India/Mumbai", "", ""],
        ["d@acme.in", "D", "", "", "2024-02-30", ""],
    ]
    problems = problems_of(org_a, make_csv(rows))
    assert [(row, column) for row, column, _ in problems] == [
        (1, "Shoe Size"),
        (3, "email"),
        (4, "email"),
        (5, "manager_email"),
        (6, "timezone"),
        (7, "start_date"),
    ]
    assert not Person.objects.filter(organisation=org_a).exists()


def test_reimporting_an_updated_export_updates_adds_and_leaves_the_rest(org_a) -> None:
    apply(org_a, make_csv(EXPORT))
    untouched = people(org_a)["kavya.s@acme.in"].updated_at
    updated = [list(row) for row in EXPORT]
    updated[4][4] = "Platform"  # li.wei changes department
    updated[6][3] = "meera.iyer@acme.in"  # joão now reports to the CEO
    updated[1][1] = "Meera  Iyer-Rao"  # a new surname
    updated.append(
        [
            "ana.silva@acme.in",
            "Ana Silva",
            "E007",
            "joao.goncalves@acme.in",
            "Finance",
            "Intern",
            "L1",
            "Lisbon",
            "Europe/Lisbon",
            "",
            "",
        ]
    )
    # Emails in another case are the same people.
    updated[2][0] = "Arjun.Mehta@ACME.in"

    plan = apply(org_a, make_csv(updated, delimiter="\t"))
    assert plan.summary == {"rows": 7, "created": 1, "updated": 3, "unchanged": 3, "deactivated": 0}
    changes = {person.email: set(fields) for person, _row, fields in plan.to_update}
    assert changes == {
        "meera.iyer@acme.in": {"name"},
        "li.wei@acme.in": {"department"},
        "joao.goncalves@acme.in": {"manager"},
    }
    directory = people(org_a)
    assert len(directory) == 7
    assert directory["li.wei@acme.in"].department == "Platform"
    assert directory["joao.goncalves@acme.in"].manager.email == "meera.iyer@acme.in"
    assert directory["meera.iyer@acme.in"].name == "Meera  Iyer-Rao"
    assert directory["ana.silva@acme.in"].manager.email == "joao.goncalves@acme.in"
    assert directory["kavya.s@acme.in"].updated_at == untouched

    # The same file again changes nothing.
    again = apply(org_a, make_csv(updated))
    assert again.summary == {
        "rows": 7,
        "created": 0,
        "updated": 0,
        "unchanged": 7,
        "deactivated": 0,
    }
    assert AuditEvent.objects.filter(action="people.imported").count() == 3


def test_columns_absent_from_the_file_are_not_wiped(org_a) -> None:
    apply(org_a, make_csv(EXPORT))
    plan = apply(
        org_a,
        make_csv(
            [
                ["Email", "Name", "Department"],
                ["kavya.s@acme.in", "காவ்யா சுந்தரம்", "Data"],
            ]
        ),
    )
    assert plan.summary["updated"] == 1
    kavya = people(org_a)["kavya.s@acme.in"]
    assert kavya.department == "Data"
    assert kavya.manager.email == "arjun.mehta@acme.in"
    assert (kavya.employee_id, kavya.timezone, kavya.languages) == (
        "E003",
        "Asia/Kolkata",
        ["Tamil", "English"],
    )
    assert kavya.start_date == date(2021, 8, 2)


def test_an_empty_cell_in_a_present_column_clears_the_value(org_a) -> None:
    apply(org_a, make_csv(EXPORT))
    apply(
        org_a,
        make_csv(
            [["email", "name", "manager_email", "languages"], ["kavya.s@acme.in", "K", "", ""]]
        ),
    )
    kavya = people(org_a)["kavya.s@acme.in"]
    assert kavya.manager is None
    assert kavya.languages == []
    assert kavya.department == "Engineering"


def test_managers_resolve_to_people_in_the_directory_whatever_their_stored_case(org_a) -> None:
    # Someone added by hand (or by the Django admin) with capitals in the address.
    boss = Person.objects.create(organisation=org_a, name="Vikram Rao", email="Vikram.Rao@Acme.in")
    rows = [
        ["email", "name", "manager_email"],
        ["neha@acme.in", "नेहा", "vikram.rao@acme.in"],
        ["omar@acme.in", "عمر", "NEHA@acme.in"],
        ["vikram.rao@acme.in", "Vikram Rao", ""],
    ]
    plan = apply(org_a, make_csv(rows))
    assert plan.summary == {"rows": 3, "created": 2, "updated": 0, "unchanged": 1, "deactivated": 0}
    directory = people(org_a)
    assert directory["neha@acme.in"].manager == boss
    assert directory["omar@acme.in"].manager == directory["neha@acme.in"]
    assert (
        Person.objects.filter(organisation=org_a, email__iexact="vikram.rao@acme.in").count() == 1
    )


def test_unknown_manager_and_cycle_through_the_directory(org_a) -> None:
    ceo = Person.objects.create(organisation=org_a, name="CEO", email="ceo@acme.in")
    Person.objects.create(organisation=org_a, name="VP", email="vp@acme.in", manager=ceo)
    rows = [
        ["email", "name", "manager_email"],
        ["dev@acme.in", "Dev", "vp@acme.in"],  # fine: vp is in the directory
        ["ceo@acme.in", "CEO", "dev@acme.in"],  # ceo → dev → vp → ceo
        ["eve@acme.in", "Eve", "someone@acme.in"],  # not anywhere
    ]
    problems = problems_of(org_a, make_csv(rows))
    assert [(row, column) for row, column, _ in problems] == [
        (2, "manager_email"),
        (3, "manager_email"),
        (4, "manager_email"),
    ]
    assert "manager cycle" in problems[0][2]
    assert "vp@acme.in" in problems[0][2]
    assert "unknown manager someone@acme.in" in problems[2][2]
    assert ceo.manager is None
    assert Person.objects.filter(organisation=org_a).count() == 2


def test_employee_id_must_stay_unique_in_the_directory(org_a) -> None:
    Person.objects.create(
        organisation=org_a, name="Holder", email="holder@acme.in", employee_id="E100"
    )
    rows = [
        ["email", "name", "employee_id"],
        ["new@acme.in", "New", "E101"],
        ["clash@acme.in", "Clash", "E100"],
    ]
    problems = problems_of(org_a, make_csv(rows))
    assert [(row, column) for row, column, _ in problems] == [(3, "employee_id")]
    assert "already belongs to holder@acme.in" in problems[0][2]
    assert not Person.objects.filter(email="new@acme.in").exists()


def test_employee_ids_can_move_between_people_in_the_file(org_a) -> None:
    Person.objects.create(organisation=org_a, name="A", email="a@acme.in", employee_id="E1")
    Person.objects.create(organisation=org_a, name="B", email="b@acme.in", employee_id="E2")
    Person.objects.create(organisation=org_a, name="C", email="c@acme.in", employee_id="E3")
    rows = [
        ["email", "name", "employee_id"],
        ["a@acme.in", "A", "E2"],  # a and b swap
        ["b@acme.in", "B", "E1"],
        ["c@acme.in", "C", "E9"],  # c is renumbered and a newcomer gets c's old id
        ["d@acme.in", "D", "E3"],
    ]
    plan = apply(org_a, make_csv(rows))
    assert plan.summary["created"] == 1
    assert plan.summary["updated"] == 3
    ids = dict(Person.objects.filter(organisation=org_a).values_list("email", "employee_id"))
    assert ids == {"a@acme.in": "E2", "b@acme.in": "E1", "c@acme.in": "E9", "d@acme.in": "E3"}


def test_deactivate_missing_and_reactivate_people_back_in_the_file(org_a) -> None:
    apply(org_a, make_csv(EXPORT))
    leaver = EXPORT[4][0]
    remaining = [row for row in EXPORT if row[0] != leaver]
    plan = apply(org_a, make_csv(remaining), deactivate_missing=True)
    assert plan.summary == {"rows": 5, "created": 0, "updated": 0, "unchanged": 5, "deactivated": 1}
    assert not people(org_a)[leaver].is_active
    assert all(p.is_active for e, p in people(org_a).items() if e != leaver)
    # Without the flag, people missing from the file are left alone...
    assert apply(org_a, make_csv(remaining[:2])).summary["deactivated"] == 0
    assert Person.objects.filter(organisation=org_a, is_active=True).count() == 5
    # ...and someone who comes back in a later file is active again.
    plan = apply(org_a, make_csv(EXPORT))
    assert plan.summary["updated"] == 1
    assert people(org_a)[leaver].is_active


def test_importing_into_one_organisation_never_touches_another(org_a, org_b, outsider) -> None:
    # Organisation B has the very same addresses, with its own data.
    apply(org_b, make_csv(EXPORT))
    b_before = {
        p.email: (p.name, p.department, p.manager_id, p.is_active)
        for p in Person.objects.filter(organisation=org_b)
    }
    changed = [list(row) for row in EXPORT]
    for row in changed[1:]:
        row[4] = "Changed"
    plan = apply(org_a, make_csv(changed), deactivate_missing=True)
    assert plan.summary["created"] == 6
    assert plan.summary["deactivated"] == 0
    b_after = {
        p.email: (p.name, p.department, p.manager_id, p.is_active)
        for p in Person.objects.filter(organisation=org_b)
    }
    assert b_after == b_before
    a_people = people(org_a)
    assert all(
        p.manager is None or p.manager.organisation_id == org_a.pk for p in a_people.values()
    )
    # A manager who is only in organisation B is unknown to organisation A.
    problems = problems_of(
        org_a, make_csv([["email", "name", "manager_email"], ["x@acme.in", "X", outsider.email]])
    )
    assert [(row, column) for row, column, _ in problems] == [(2, "manager_email")]
    # The outsider's person in B is never deactivated by an import into A.
    assert Person.objects.get(organisation=org_b, email=outsider.email).is_active


def test_preview_confirm_and_discard(admin, org_a) -> None:
    preview = people_import_preview(
        organisation=org_a, actor=admin, data=make_csv(EXPORT), filename="hr.csv"
    )
    assert preview.status == PersonImport.Status.PREVIEWED
    assert preview.summary["created"] == 6
    assert preview.row_count == 6
    assert Person.objects.filter(organisation=org_a).count() == 1  # the admin only
    applied = people_import_confirm(person_import=preview, actor=admin)
    assert applied.status == PersonImport.Status.APPLIED
    assert applied.applied_at is not None
    assert Person.objects.filter(organisation=org_a).count() == 7
    event = AuditEvent.objects.get(action="people.imported")
    assert event.target_id == str(preview.pk)
    with pytest.raises(AlongsideError):
        people_import_confirm(person_import=preview, actor=admin)
    with pytest.raises(AlongsideError):
        people_import_discard(person_import=applied, actor=admin)

    second = people_import_preview(
        organisation=org_a, actor=admin, data=make_csv(EXPORT[:2]), filename="b.csv"
    )
    people_import_discard(person_import=second, actor=admin)
    second.refresh_from_db()
    assert second.status == PersonImport.Status.DISCARDED
    assert bytes(second.content) == b""
    with pytest.raises(AlongsideError):
        people_import_confirm(person_import=second, actor=admin)


def test_an_invalid_preview_keeps_its_problems_and_cannot_be_applied(admin, org_a) -> None:
    data = make_csv(
        [["email", "name", "timezone"], ["a@acme.in", "A", "IST"], ["b@acme.in", "", ""]]
    )
    preview = people_import_preview(organisation=org_a, actor=admin, data=data)
    assert preview.status == PersonImport.Status.INVALID
    assert [(p["row"], p["column"]) for p in preview.problems] == [(2, "timezone"), (3, "name")]
    with pytest.raises(AlongsideError):
        people_import_confirm(person_import=preview, actor=admin)
    assert Person.objects.filter(organisation=org_a).count() == 1


def test_confirm_checks_the_directory_again(admin, org_a) -> None:
    preview = people_import_preview(organisation=org_a, actor=admin, data=make_csv(EXPORT))
    # Between preview and confirm someone takes an employee id the file uses.
    Person.objects.create(organisation=org_a, name="Late", email="late@acme.in", employee_id="E004")
    with pytest.raises(AlongsideError) as caught:
        people_import_confirm(person_import=preview, actor=admin)
    assert [(p.row, p.field) for p in caught.value.problems] == [(5, "employee_id")]
    preview.refresh_from_db()
    assert preview.status == PersonImport.Status.PREVIEWED
    assert Person.objects.filter(organisation=org_a).count() == 2


@override_settings(PEOPLE_IMPORT_MAX_BYTES=1024)
def test_a_file_over_the_size_limit_is_refused(org_a) -> None:
    data = make_csv([["email", "name"], *([f"p{i}@acme.in", "Someone"] for i in range(100))])
    with pytest.raises(AlongsideError, match="larger than"):
        apply(org_a, data)
    assert not Person.objects.filter(organisation=org_a).exists()


@pytest.mark.slow
def test_ten_thousand_rows(org_a) -> None:
    from benchmarks.bench_people_import import generate_people_csv

    data = generate_people_csv(10_000, seed=7)
    plan = apply(org_a, data)
    assert plan.summary == {
        "rows": 10_000,
        "created": 10_000,
        "updated": 0,
        "unchanged": 0,
        "deactivated": 0,
    }
    assert Person.objects.filter(organisation=org_a).count() == 10_000
    assert Person.objects.filter(organisation=org_a, manager__isnull=True).count() == 1
    # Every manager link points inside the organisation, and the chain ends at the top.
    managers = dict(Person.objects.filter(organisation=org_a).values_list("id", "manager_id"))
    for start in list(managers)[::500]:
        seen, node = set(), start
        while node is not None:
            assert node not in seen
            seen.add(node)
            node = managers[node]

    changed = generate_people_csv(10_000, seed=7, changed_fraction=0.1)
    plan = apply(org_a, changed)
    assert plan.summary["created"] == 0
    assert plan.summary["updated"] == 1000
    assert plan.summary["unchanged"] == 9000
