"""The env-driven settings module, exercised in fresh interpreters."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE_ROOT = Path(__file__).resolve().parent.parent

# What the subprocess prints: the settings a deployment cares about.
DUMP_SETTINGS = """
import json
from alongside import settings as s
print(json.dumps({
    "debug": s.DEBUG,
    "engine": s.DATABASES["default"]["ENGINE"],
    "db_name": s.DATABASES["default"]["NAME"],
    "db_host": s.DATABASES["default"].get("HOST"),
    "secret_key": s.SECRET_KEY,
    "allowed_hosts": s.ALLOWED_HOSTS,
    "session_cookie_secure": getattr(s, "SESSION_COOKIE_SECURE", False),
    "csrf_cookie_secure": getattr(s, "CSRF_COOKIE_SECURE", False),
    "hsts": getattr(s, "SECURE_HSTS_SECONDS", 0),
    "ssl_redirect": getattr(s, "SECURE_SSL_REDIRECT", False),
    "email_backend": s.EMAIL_BACKEND,
}))
"""


def clean_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The current environment without any Alongside/database configuration."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ALONGSIDE_", "DATABASE_URL", "DJANGO_"))
    }
    env["ALONGSIDE_VAR_DIR"] = str(tmp_path / "var")
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def dump(env: dict[str, str], cwd: Path) -> dict[str, object]:
    result = run(["-c", DUMP_SETTINGS], env, cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    return clean_env(
        tmp_path,
        ALONGSIDE_ENVIRONMENT="production",
        ALONGSIDE_SECRET_KEY=secrets.token_urlsafe(50)[:50],
        ALONGSIDE_ALLOWED_HOSTS="mentoring.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        **overrides,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = run(
        ["-m", "alongside", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(tmp_path),
        SOURCE_ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_is_clean_behind_a_tls_proxy(tmp_path: Path) -> None:
    env = production_env(tmp_path, ALONGSIDE_SSL_REDIRECT="0", ALONGSIDE_BEHIND_PROXY="1")
    result = run(
        ["-m", "alongside", "check", "--deploy", "--fail-level", "WARNING"], env, SOURCE_ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_turns_on_transport_security(tmp_path: Path) -> None:
    values = dump(production_env(tmp_path), tmp_path)
    assert values["debug"] is False
    assert values["session_cookie_secure"] is True
    assert values["csrf_cookie_secure"] is True
    assert values["ssl_redirect"] is True
    assert isinstance(values["hsts"], int)
    assert values["hsts"] >= 31536000
    assert values["allowed_hosts"] == ["mentoring.example.org"]


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["ALONGSIDE_SECRET_KEY"]
    result = run(["-m", "alongside", "check"], env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALONGSIDE_SECRET_KEY is not set" in result.stderr
    # No key was quietly generated for production.
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_refuses_to_start_without_allowed_hosts(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["ALONGSIDE_ALLOWED_HOSTS"]
    result = run(["-m", "alongside", "check"], env, tmp_path)
    assert result.returncode != 0
    assert "ALONGSIDE_ALLOWED_HOSTS is not set" in result.stderr


def test_unknown_environment_is_refused(tmp_path: Path) -> None:
    result = run(["-c", DUMP_SETTINGS], clean_env(tmp_path, ALONGSIDE_ENVIRONMENT="prod"), tmp_path)
    assert result.returncode != 0
    assert "ALONGSIDE_ENVIRONMENT must be" in result.stderr


def test_development_generates_and_persists_a_secret_key(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    first = dump(env, tmp_path)
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    key = first["secret_key"]
    assert isinstance(key, str)
    assert len(key) >= 50
    assert key == key_file.read_text().strip()
    # A second start reuses it, so sessions survive a restart.
    assert dump(env, tmp_path)["secret_key"] == key
    assert first["debug"] is True
    assert first["engine"] == "django.db.backends.sqlite3"
    assert first["db_name"] == str(tmp_path / "var" / "alongside.sqlite3")
    assert first["email_backend"] == "django.core.mail.backends.console.EmailBackend"


def test_an_explicit_secret_key_wins_in_development(tmp_path: Path) -> None:
    values = dump(clean_env(tmp_path, ALONGSIDE_SECRET_KEY="k" * 50), tmp_path)
    assert values["secret_key"] == "k" * 50
    assert not (tmp_path / "var" / "secret_key").exists()


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_database_url_picks_postgresql(tmp_path: Path, scheme: str) -> None:
    values = dump(
        clean_env(tmp_path, DATABASE_URL=f"{scheme}://alongside:pw@db.internal:5432/alongside"),
        tmp_path,
    )
    assert values["engine"] == "alongside.core.postgresql"
    assert values["db_name"] == "alongside"
    assert values["db_host"] == "db.internal"


def test_debug_can_be_switched_off_in_development(tmp_path: Path) -> None:
    assert dump(clean_env(tmp_path, ALONGSIDE_DEBUG="0"), tmp_path)["debug"] is False
