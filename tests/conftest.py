"""The fixed cast every test can use.

Organisation A ("Acme India") has an admin, a programme manager and a member; the
outsider is the admin of organisation B and must never see anything of A.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from alongside.accounts.models import User
from alongside.accounts.services import api_token_create
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person

PASSWORD = "correct horse battery staple"


@pytest.fixture
def org_a(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Acme India", slug="acme", default_time_zone="Asia/Kolkata"
    )


@pytest.fixture
def org_b(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Other Co", slug="other", default_time_zone="Europe/London"
    )


def _member(org: Organisation, email: str, name: str, role: Role) -> User:
    user = User.objects.create_user(email, PASSWORD, full_name=name)
    Membership.objects.create(user=user, organisation=org, role=role)
    Person.objects.create(
        organisation=org, user=user, name=name, email=email, timezone=org.default_time_zone
    )
    return user


@pytest.fixture
def admin(org_a: Organisation) -> User:
    return _member(org_a, "asha.admin@acme.test", "Asha Admin", Role.ADMIN)


@pytest.fixture
def manager(org_a: Organisation) -> User:
    return _member(org_a, "priya.pm@acme.test", "Priya Programme", Role.PROGRAMME_MANAGER)


@pytest.fixture
def member(org_a: Organisation) -> User:
    return _member(org_a, "ravi.member@acme.test", "Ravi Member", Role.MEMBER)


@pytest.fixture
def outsider(org_b: Organisation) -> User:
    return _member(org_b, "olivia.outsider@other.test", "Olivia Outsider", Role.ADMIN)


@pytest.fixture
def cast(admin: User, manager: User, member: User, outsider: User) -> dict[str, User]:
    return {"admin": admin, "manager": manager, "member": member, "outsider": outsider}


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user, backend="alongside.accounts.backends.ModelBackend")
        return client

    return make


class ApiClient:
    """A test client that sends a personal API token, as an integration would."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, data: Any = None, **kwargs: Any) -> Any:
        call = getattr(self.client, method.lower())
        if (
            data is not None
            and method.upper() in {"POST", "PATCH", "PUT"}
            and "files" not in kwargs
        ):
            return call(path, data=data, content_type="application/json", headers=self.headers)
        if "files" in kwargs:
            return call(path, data=kwargs.pop("files"), headers=self.headers)
        return call(path, data=data, headers=self.headers)

    def get(self, path: str, data: Any = None) -> Any:
        return self.request("GET", path, data)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, data, **kwargs)

    def patch(self, path: str, data: Any = None) -> Any:
        return self.request("PATCH", path, data)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)


@pytest.fixture
def api_for() -> Callable[[User | None], ApiClient]:
    def make(user: User | None) -> ApiClient:
        if user is None:
            return ApiClient(None)
        _token, secret = api_token_create(user=user, name="tests")
        return ApiClient(secret)

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    reasons = {str(getattr(report, "longrepr", "")) for report in skipped}
    loud = sorted(r for r in reasons if "SKIPPED:" in r)
    if loud:
        banner = "!" * 78
        terminalreporter.write_line(banner, red=True, bold=True)
        for reason in loud:
            terminalreporter.write_line(reason, red=True, bold=True)
        terminalreporter.write_line(banner, red=True, bold=True)


@pytest.fixture(autouse=True)
def _listener_errors_fail_tests(settings: Any) -> None:
    """After-commit listeners only log their errors in production; a test must see them."""
    settings.EVENT_LISTENER_ERRORS = "raise"


@pytest.fixture(autouse=True)
def _run_background_tasks_immediately(settings: Any) -> None:
    """Tests run queued tasks in-process, as the embedded default would."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Password hashing strength is not under test; a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The API's rate limits count in the cache; each test starts with none used."""
    from django.core.cache import cache

    cache.clear()
