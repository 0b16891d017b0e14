"""Reports to forward as PDF: a programme's outcomes and its summary (WeasyPrint).

The PDFs say what the pages say and hide what they hide: groups under the anonymity
threshold (5 people) are never shown. Names in any script render with the Noto fonts
(Debian's fonts-noto-core: Latin, Devanagari, Tamil, Telugu and more); the report asks
for them by family and fontconfig finds each glyph a face.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from alongside.dashboards.selectors import programme_dashboard
from alongside.programmes.models import Programme
from alongside.programmes.selectors import enrolment_counts
from alongside.surveys.selectors import outcomes_report

DIMENSION_LABELS = {
    "department": gettext_lazy("By department"),
    "location": gettext_lazy("By location"),
    "role": gettext_lazy("By role in the programme"),
}


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which pages never need

    html = render_to_string(template, {**context, "printed_at": timezone.now()})
    return bytes(HTML(string=html).write_pdf())


def _bars(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Start and end means as widths of a 0–5 scale (percent), suppressed areas left out."""
    return [
        {
            "area": area,
            "start_width": f"{100 * area['mean_start'] / 5:.1f}",
            "end_width": f"{100 * area['mean_end'] / 5:.1f}",
        }
        for area in report["areas"]
        if not area["suppressed"]
    ]


def _generated(report: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(report["generated_at"])


def outcomes_pdf(*, programme: Programme) -> bytes:
    report = outcomes_report(programme=programme)
    return _pdf(
        "dashboards/pdf/outcomes.html",
        {
            "programme": programme,
            "report": report,
            "bars": _bars(report),
            "area_labels": programme.labels("capability_areas", programme.translation_fallback),
            "dimension_labels": DIMENSION_LABELS,
            "generated_at": _generated(report),
        },
    )


def summary_pdf(*, programme: Programme) -> bytes:
    report = outcomes_report(programme=programme)
    dashboard = programme_dashboard(programme=programme)
    return _pdf(
        "dashboards/pdf/summary.html",
        {
            "programme": programme,
            "dashboard": dashboard,
            "counts": enrolment_counts(programme=programme),
            "report": report,
            "bars": _bars(report),
            "area_labels": programme.labels("capability_areas", programme.translation_fallback),
            "managers": list(programme.managers.order_by("full_name", "email")),
            "generated_at": _generated(report),
        },
    )


def pdf_filename(programme: Programme, kind: str) -> str:
    return f"{kind}-{slugify(programme.name) or programme.pk}.pdf"
