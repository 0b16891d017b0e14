"""Where each programme stands, as its manager would walk it: the steps in order, and what
needs them now.

Define → enrol → intakes → match → publish → running → closing. Every step is done, the
current one, or still to come; every item that needs the manager links to the page that
settles it. A handful of grouped queries serve any number of programmes (the home page
lists all of a manager's programmes; the programme page shows one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alongside.health.models import HealthStatus, RelationshipHealth
from alongside.matches.models import MatchRun
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme, Stage
from alongside.relationships.models import Relationship, RematchRequest
from alongside.scheduling.models import Schedule
from alongside.surveys.models import Survey

DONE, CURRENT, TODO = "done", "current", "todo"


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    state: str  # done | current | todo
    url: str
    note: str = ""


@dataclass(frozen=True)
class Need:
    """Something only the manager can move: a sentence and the page that settles it."""

    text: str
    url: str
    action: str
    urgent: bool = False


@dataclass
class ProgrammeProgress:
    programme: Programme
    steps: list[Step] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)

    @property
    def current(self) -> Step | None:
        return next((s for s in self.steps if s.state == CURRENT), None)

    @property
    def done_count(self) -> int:
        return sum(s.state == DONE for s in self.steps)


@dataclass
class _Figures:
    enrolled: int = 0
    intakes_done: int = 0
    mentors: int = 0
    mentees: int = 0
    relationships: int = 0
    active_relationships: int = 0
    draft_runs: int = 0
    running_runs: int = 0
    published_runs: int = 0
    rematch_requests: int = 0
    late_joiners: int = 0
    unconfirmed_schedules: int = 0
    health: dict[str, int] = field(default_factory=dict)
    surveys: dict[str, str] = field(default_factory=dict)  # kind -> status
    latest_draft: int | None = None


def _figures(programmes: Sequence[Programme]) -> dict[int, _Figures]:
    ids = [p.pk for p in programmes]
    figures = {pk: _Figures() for pk in ids}
    active = Q(status=EnrolmentStatus.ACTIVE)
    for row in (
        Enrolment.objects.filter(programme_id__in=ids)
        .values("programme_id")
        .annotate(
            enrolled=Count("pk", filter=active),
            intakes_done=Count("pk", filter=active & Q(intake__completed_at__isnull=False)),
            mentors=Count("pk", filter=active & Q(role="mentor")),
            mentees=Count("pk", filter=active & Q(role="mentee")),
            late=Count("pk", filter=active & Q(late_joiner=True)),
        )
    ):
        f = figures[row["programme_id"]]
        f.enrolled, f.intakes_done = row["enrolled"], row["intakes_done"]
        f.mentors, f.mentees, f.late_joiners = row["mentors"], row["mentees"], row["late"]
    for row in (
        Relationship.objects.filter(programme_id__in=ids)
        .values("programme_id")
        .annotate(
            total=Count("pk"), active=Count("pk", filter=Q(status=Relationship.Status.ACTIVE))
        )
    ):
        f = figures[row["programme_id"]]
        f.relationships, f.active_relationships = row["total"], row["active"]
    for pk, status, run_id in (
        MatchRun.objects.filter(programme_id__in=ids)
        .exclude(status__in=[MatchRun.Status.DISCARDED, MatchRun.Status.FAILED])
        .order_by("created_at", "pk")
        .values_list("programme_id", "status", "pk")
    ):
        f = figures[pk]
        if status == MatchRun.Status.DRAFT:
            f.draft_runs += 1
            f.latest_draft = run_id
        elif status == MatchRun.Status.PUBLISHED:
            f.published_runs += 1
        else:
            f.running_runs += 1
    for row in (
        RematchRequest.objects.filter(
            relationship__programme_id__in=ids, status=RematchRequest.Status.OPEN
        )
        .values("relationship__programme_id")
        .annotate(n=Count("pk"))
    ):
        figures[row["relationship__programme_id"]].rematch_requests = row["n"]
    for row in (
        Schedule.objects.filter(
            relationship__programme_id__in=ids,
            relationship__status=Relationship.Status.ACTIVE,
            status=Schedule.Status.PROPOSED,
        )
        .values("relationship__programme_id")
        .annotate(n=Count("pk"))
    ):
        figures[row["relationship__programme_id"]].unconfirmed_schedules = row["n"]
    for row in (
        RelationshipHealth.objects.filter(programme_id__in=ids)
        .exclude(status="")
        .values("programme_id", "status")
        .annotate(n=Count("pk"))
    ):
        figures[row["programme_id"]].health[row["status"]] = row["n"]
    for pk, kind, status in Survey.objects.filter(programme_id__in=ids).values_list(
        "programme_id", "kind", "status"
    ):
        figures[pk].surveys[kind] = status
    return figures


def programme_progress(
    *, programmes: Sequence[Programme], organisation_slug: str
) -> list[ProgrammeProgress]:
    """The checklist and the needs of each programme, in the order given."""
    figures = _figures(programmes)
    return [_progress(p, figures[p.pk], organisation_slug) for p in programmes]


def _url(name: str, slug: str, *args: int) -> str:
    return reverse(name, args=[slug, *args])


_ORDER = [Stage.DRAFT, Stage.ENROLLING, Stage.MATCHING, Stage.RUNNING, Stage.CLOSING, Stage.CLOSED]


def _progress(programme: Programme, f: _Figures, slug: str) -> ProgrammeProgress:
    pk = programme.pk
    stage = _ORDER.index(Stage(programme.stage))
    detail = _url("programmes:detail", slug, pk)
    enrolment = _url("programmes:enrolment", slug, pk)
    review = _url("matches:review", slug, pk)
    dashboard = _url("dashboards:programme", slug, pk)
    closing = _url("surveys:closing", slug, pk)
    missing = f.enrolled - f.intakes_done

    def state(done: bool, current: bool) -> str:
        return DONE if done else (CURRENT if current else TODO)

    matched = f.relationships > 0
    steps = [
        Step(
            "define",
            _("Define"),
            state(stage > 0, stage == 0),
            _url("programmes:edit", slug, pk),
            _("purpose, dates, rhythm, capability areas"),
        ),
        Step(
            "enrol",
            _("Enrol"),
            state(stage > 1 or (stage == 1 and f.enrolled >= 2), stage == 1),
            enrolment,
            ngettext("%(count)d enrolled", "%(count)d enrolled", f.enrolled)
            % {"count": f.enrolled},
        ),
        Step(
            "intakes",
            _("Intakes"),
            state(stage > 1 or (f.enrolled >= 2 and missing == 0), stage == 1 and f.enrolled >= 2),
            enrolment,
            _("%(done)d of %(total)d done") % {"done": f.intakes_done, "total": f.enrolled},
        ),
        Step(
            "match",
            _("Match"),
            state(
                matched or f.draft_runs > 0,
                (stage == 2 and not f.draft_runs)
                or (stage == 1 and f.enrolled >= 2 and missing == 0),
            ),
            review,
            ngettext("%(count)d draft to review", "%(count)d drafts to review", f.draft_runs)
            % {"count": f.draft_runs}
            if f.draft_runs
            else "",
        ),
        Step(
            "publish",
            _("Publish"),
            state(matched, stage == 2 and f.draft_runs > 0),
            review,
            ngettext("%(count)d relationship", "%(count)d relationships", f.relationships)
            % {"count": f.relationships}
            if matched
            else "",
        ),
        Step(
            "running",
            _("Running"),
            state(stage > 3, stage == 3),
            dashboard,
            ngettext("%(count)d active", "%(count)d active", f.active_relationships)
            % {"count": f.active_relationships}
            if matched
            else "",
        ),
        Step(
            "closing",
            _("Closing"),
            state(stage == 5, stage == 4),
            closing if stage >= 3 else detail,
            _("closed") if stage == 5 else "",
        ),
    ]
    progress = ProgrammeProgress(programme=programme, steps=steps)
    progress.needs = _needs(programme, f, slug, missing)
    return progress


def _needs(programme: Programme, f: _Figures, slug: str, missing: int) -> list[Need]:
    pk, stage = programme.pk, programme.stage
    detail = _url("programmes:detail", slug, pk)
    needs: list[Need] = []
    if stage == Stage.DRAFT:
        if not programme.purpose or not programme.capability_areas:
            needs.append(
                Need(
                    _("Say what the programme is for and which capabilities it develops."),
                    _url("programmes:edit", slug, pk),
                    _("Edit the programme"),
                )
            )
        needs.append(
            Need(
                _("Open enrolment when the programme is ready for people."),
                detail + "#stage-heading",
                _("Open enrolment"),
            )
        )
    if stage == Stage.ENROLLING:
        if f.enrolled < 2:
            needs.append(
                Need(
                    _("Enrol the cohort: choose people from the directory or upload a list."),
                    _url("programmes:enrolment", slug, pk),
                    _("Enrol people"),
                    urgent=True,
                )
            )
        elif missing:
            needs.append(
                Need(
                    ngettext(
                        "%(count)d person has not finished their intake.",
                        "%(count)d people have not finished their intake.",
                        missing,
                    )
                    % {"count": missing},
                    _url("programmes:enrolment", slug, pk) + "#intakes-heading",
                    _("Send a reminder"),
                )
            )
        if f.enrolled >= 2:
            needs.append(
                Need(
                    _("When enough intakes are in, close enrolment and match."),
                    detail + "#stage-heading",
                    _("Start matching"),
                    urgent=missing == 0,
                )
            )
    if stage in (Stage.MATCHING, Stage.RUNNING):
        review = _url("matches:review", slug, pk)
        if f.draft_runs:
            needs.append(
                Need(
                    _("A draft of matches is waiting for your review and publishing."),
                    review,
                    _("Review the draft"),
                    urgent=True,
                )
            )
        elif f.running_runs:
            needs.append(Need(_("Matching is running now."), review, _("Watch its progress")))
        elif stage == Stage.MATCHING and not f.relationships:
            needs.append(
                Need(_("Run matching on the enrolled cohort."), review, _("Run matching"), True)
            )
        if f.late_joiners and not f.draft_runs:
            needs.append(
                Need(
                    ngettext(
                        "%(count)d late joiner is waiting to be matched.",
                        "%(count)d late joiners are waiting to be matched.",
                        f.late_joiners,
                    )
                    % {"count": f.late_joiners},
                    review,
                    _("Match late joiners"),
                )
            )
    if f.rematch_requests:
        needs.append(
            Need(
                ngettext(
                    "%(count)d person asked for a rematch.",
                    "%(count)d people asked for a rematch.",
                    f.rematch_requests,
                )
                % {"count": f.rematch_requests},
                _url("matches:relationships", slug, pk) + "#rematch-heading",
                _("Answer"),
                urgent=True,
            )
        )
    if stage in (Stage.RUNNING, Stage.CLOSING):
        dashboard = _url("dashboards:programme", slug, pk)
        troubled = f.health.get(HealthStatus.STRUGGLING, 0) + f.health.get(HealthStatus.DORMANT, 0)
        if troubled:
            needs.append(
                Need(
                    ngettext(
                        "%(count)d relationship is struggling or has gone quiet.",
                        "%(count)d relationships are struggling or have gone quiet.",
                        troubled,
                    )
                    % {"count": troubled},
                    dashboard + "#health-heading",
                    _("See who and why"),
                    urgent=True,
                )
            )
        if f.unconfirmed_schedules:
            needs.append(
                Need(
                    ngettext(
                        "%(count)d relationship has not agreed a meeting time yet.",
                        "%(count)d relationships have not agreed a meeting time yet.",
                        f.unconfirmed_schedules,
                    )
                    % {"count": f.unconfirmed_schedules},
                    dashboard,
                    _("Open the dashboard"),
                )
            )
        if f.surveys.get(Survey.Kind.START) == Survey.Status.DRAFT:
            needs.append(
                Need(
                    _("The start survey is still a draft: open it to get a baseline."),
                    _url("surveys:setup", slug, pk),
                    _("Open the start survey"),
                )
            )
    if stage == Stage.CLOSING:
        needs.append(
            Need(
                _("Hold the closing session, send the end survey, then close the programme."),
                _url("surveys:closing", slug, pk),
                _("Go to closing"),
                urgent=True,
            )
        )
    return needs
