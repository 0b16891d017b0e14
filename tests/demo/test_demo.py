"""``alongside demo``: a realistic organisation, the same every time, with three sign-ins."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from alongside.audit.models import AuditEvent
from alongside.demo import data, names
from alongside.demo.build import generate_people
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person
from alongside.people.reporting_line import chain_up

TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def snapshot(organisation: Organisation) -> list[tuple[object, ...]]:
    return list(
        Person.objects.filter(organisation=organisation)
        .order_by("email")
        .values_list(
            "email",
            "name",
            "employee_id",
            "manager__email",
            "department",
            "job_title",
            "level",
            "location",
            "timezone",
            "languages",
            "start_date",
            "is_active",
            "user__email",
        )
    )


@pytest.fixture
def kestrel(db: None) -> Organisation:
    run_demo("--quiet")
    return Organisation.objects.get(slug="kestrel")


@pytest.mark.django_db
def test_running_it_twice_leaves_the_same_data() -> None:
    first_output = run_demo()
    organisation = Organisation.objects.get(slug="kestrel")
    first = snapshot(organisation)
    memberships = list(Membership.objects.values_list("user__email", "organisation", "role"))

    second_output = run_demo()

    assert Organisation.objects.filter(slug="kestrel").count() == 1
    assert snapshot(organisation) == first
    assert list(Membership.objects.values_list("user__email", "organisation", "role")) == (
        memberships
    )
    assert len(first) >= 320
    # The same summary every time: it says what is there, not what this run added.
    assert f"{len(first)} people" in first_output
    assert second_output == first_output
    assert AuditEvent.objects.filter(organisation=organisation, action="demo.loaded").count() == 2


def test_it_prints_the_sign_ins_in_a_box(db: None) -> None:
    output = run_demo()
    assert "┌" in output
    assert "└" in output
    assert data.LOGIN_URL in output
    assert data.DEMO_PASSWORD in output
    for email in ("ananya.rao@", "meera.krishnan@", "rohan.kulkarni@"):
        assert f"{email}{data.EMAIL_DOMAIN}" in output
    assert re.search(r"  Mentor +\S+@" + re.escape(data.EMAIL_DOMAIN), output)
    assert re.search(r"  Circle facilitator +\S+@" + re.escape(data.EMAIL_DOMAIN), output)
    assert "/admin/" in output


def test_quiet_prints_nothing(db: None) -> None:
    assert run_demo("--quiet") == ""
    assert Person.objects.filter(organisation__slug="kestrel").count() >= 300


def test_the_directory_looks_like_a_real_company(kestrel: Organisation) -> None:
    people = list(Person.objects.filter(organisation=kestrel))
    assert kestrel.name == "Kestrel Technologies"
    assert kestrel.default_time_zone == "Asia/Kolkata"
    assert len(people) >= 300
    assert len({p.department for p in people}) >= 6
    assert len({p.level for p in people}) >= 4
    assert {"Bengaluru", "Pune", "Hyderabad", "London"} <= {p.location for p in people}
    assert len({p.timezone for p in people}) >= 3
    assert {p.timezone for p in people if p.location == "London"} == {"Europe/London"}
    languages = Counter(language for p in people for language in p.languages)
    assert languages["English"] >= 0.95 * len(people)
    assert {"Hindi", "Kannada", "Marathi", "Telugu", "Tamil"} <= set(languages)
    ids = [p.employee_id for p in people]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("KT-") and len(i) == 8 for i in ids)
    emails = [p.email for p in people]
    assert len(set(emails)) == len(emails)
    assert all(e.isascii() and e.endswith("@kestrel.example") for e in emails)
    today = date.today()
    recent = [p for p in people if p.start_date and (today - p.start_date).days <= 180]
    assert len(recent) >= 15  # onboarding-buddy programmes need new joiners
    assert min(p.start_date for p in people if p.start_date).year >= today.year - 9


def test_every_manager_chain_ends_at_the_one_ceo(kestrel: Organisation) -> None:
    people = {p.pk: p for p in Person.objects.filter(organisation=kestrel)}
    managers = {pk: p.manager_id for pk, p in people.items()}
    assert all(m is None or m in people for m in managers.values())  # same organisation
    tops = [p for p in people.values() if p.is_active and p.manager_id is None]
    assert [p.job_title for p in tops] == ["Chief Executive Officer"]
    ceo = tops[0]
    for pk in people:
        chain = chain_up(pk, managers)
        top = chain[-1] if chain else pk
        assert top == ceo.pk  # terminates at the CEO, so no cycles
        assert len(chain) <= 6
    for person in people.values():
        if person.manager_id is not None and person.manager_id != ceo.pk:
            assert people[person.manager_id].level > person.level  # "L4 Manager" > "L2 Senior"
    spans = Counter(p.manager_id for p in people.values() if p.manager_id)
    team_managers = [p for p in people.values() if p.level == "L4 Manager"]
    assert all(4 <= spans[m.pk] <= 9 for m in team_managers)


def test_the_three_sign_ins_work_with_the_right_roles(kestrel: Organisation) -> None:
    expected = {
        "ananya.rao@kestrel.example": Role.ADMIN,
        "meera.krishnan@kestrel.example": Role.PROGRAMME_MANAGER,
        "rohan.kulkarni@kestrel.example": Role.MEMBER,
    }
    for email, role in expected.items():
        request = RequestFactory().post("/accounts/login/")
        user = authenticate(request, username=email, password=data.DEMO_PASSWORD)
        assert user is not None, email
        assert Membership.objects.get(user=user, organisation=kestrel).role == role
        person = Person.objects.get(organisation=kestrel, user=user)
        assert person.email == email
        assert user.is_superuser == user.is_staff == (role == Role.ADMIN)
    member = Person.objects.get(organisation=kestrel, email="rohan.kulkarni@kestrel.example")
    assert member.department == "Engineering"
    assert member.job_title == "Software Engineer"
    manager = Person.objects.get(organisation=kestrel, email="meera.krishnan@kestrel.example")
    assert manager.department == "People & HR"


def test_it_resets_a_changed_demo_password(kestrel: Organisation) -> None:
    member = Person.objects.get(organisation=kestrel, email="rohan.kulkarni@kestrel.example")
    assert member.user is not None
    member.user.set_password("something else")
    member.user.save()
    run_demo("--quiet")
    member.user.refresh_from_db()
    assert member.user.check_password(data.DEMO_PASSWORD)


def test_names_in_other_scripts_round_trip(kestrel: Organisation) -> None:
    for native, given, family, _pool in names.NATIVE_SCRIPT_NAMES:
        person = Person.objects.get(organisation=kestrel, name=native)
        assert person.name == native
        assert person.email.startswith(f"{given.lower()}.{family.lower()}")


def test_generation_is_deterministic_and_well_formed() -> None:
    first = generate_people(today=TODAY)
    second = generate_people(today=TODAY)
    assert [vars(p) for p in first] == [vars(p) for p in second]
    ceo = next(p for p in first if p.manager_seat is None)
    assert ceo.employee_id == "KT-00001"
    assert sum(p.manager_seat is None for p in first) == 1
    seats = {p.seat for p in first}
    assert all(p.manager_seat in seats for p in first if p.manager_seat)
    assert {p.login_role for p in first if p.login_role} == set(Role.values)
