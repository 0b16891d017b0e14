"""The outcomes report and the programme summary as PDFs: names in any script, the
anonymity threshold kept, from the page and the API."""

from __future__ import annotations

import io
import os
import subprocess
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from alongside.accounts.models import User
from alongside.organisations.models import Membership, Role
from alongside.programmes.models import Programme


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _pdf_fonts() -> None:
    """WeasyPrint needs Pango, and the reports need Noto for Indian scripts (.ci/run)."""
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        missing = f"Pango ({error})"
    else:
        listed = subprocess.run(["fc-list"], capture_output=True, text=True, check=False).stdout
        missing = "" if "NotoSansDevanagari" in listed else "fonts-noto-core"
    if missing:
        message = (
            f"PDF TESTS SKIPPED: {missing} is not installed (apt-get install fonts-noto-core)."
        )
        if os.environ.get("ALONGSIDE_REQUIRE_ALL") == "1":
            pytest.fail(message + " ALONGSIDE_REQUIRE_ALL=1 makes this a failure.")
        pytest.skip(message)


def _fonts(reader: PdfReader) -> set[str]:
    fonts: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return fonts


def _text(body: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages), _fonts(reader)


@pytest.mark.django_db
def test_the_reports_render_every_script_and_keep_small_groups_hidden(
    client_for: Any, api_for: Any
) -> None:
    from django.core.management import call_command

    call_command("demo", "--quiet")
    closed = Programme.objects.get(organisation__slug="kestrel", stage="closed")
    manager = closed.managers.first()
    assert manager is not None
    # Managers named in Devanagari, Tamil and Telugu appear on the summary.
    for index, name in enumerate(("रोहन कुलकर्णी", "மீரா கிருஷ்ணன்", "వంశీ గుమ్మడి")):
        user = User.objects.create_user(f"script{index}@kestrel.example", "pw", full_name=name)
        Membership.objects.create(
            user=user, organisation=closed.organisation, role=Role.PROGRAMME_MANAGER
        )
        closed.managers.add(user)
    client = client_for(manager)
    response = client.get(reverse("dashboards:summary_pdf", args=["kestrel", closed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="summary-peer-pairs-2025.pdf"'
    text, fonts = _text(response.content)
    assert {"Noto-Sans-Devanagari", "Noto-Sans-Tamil", "Noto-Sans-Telugu"} <= fonts, fonts
    assert "Peer Pairs 2025" in text
    assert "Health of active relationships" in text

    outcomes = client.get(reverse("dashboards:outcomes_pdf", args=["kestrel", closed.pk]))
    text, _fonts = _text(outcomes.content)
    assert "Outcomes: Peer Pairs 2025" in text
    assert "Figures for fewer than 5 people are never shown" in " ".join(text.split())
    # A department of fewer than five is a dash, never a figure.
    from alongside.surveys.selectors import outcomes_report

    report = outcomes_report(programme=closed)
    small = [row for row in report["breakdowns"]["department"] if row["areas"][0]["suppressed"]]
    assert small
    for row in small:
        line = next(line for line in text.splitlines() if line.startswith(row["group"]))
        assert "+" not in line, line
        assert "(" not in line, line

    api = api_for(manager).get(f"/api/v1/organisations/kestrel/programmes/{closed.pk}/outcomes.pdf")
    assert api.status_code == 200
    assert api.content.startswith(b"%PDF")
