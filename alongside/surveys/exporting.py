"""The survey answers export, made by the worker (alongside/exports)."""

from __future__ import annotations

from alongside.exports.models import Export
from alongside.exports.registry import Rows, exporter
from alongside.programmes.models import Programme
from alongside.surveys.models import Answer
from alongside.surveys.selectors import export_rows

SURVEY_DATA = "survey-data"


def _programme_id(export: Export) -> int:
    return int(export.params["programme_id"])


def _count(export: Export) -> int:
    return Answer.objects.filter(response__survey__programme_id=_programme_id(export)).count()


@exporter(SURVEY_DATA, count=_count)
def survey_data_rows(export: Export) -> Rows:
    programme = Programme.objects.get(pk=_programme_id(export), organisation=export.organisation)
    return export_rows(programme=programme, identified=bool(export.params.get("identified")))
