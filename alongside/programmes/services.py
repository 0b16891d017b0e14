"""Writes for programmes, enrolment and intakes. Each runs in a transaction and is audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.authored import realign
from alongside.core.errors import AlongsideError, Problem
from alongside.core.events import emit
from alongside.core.languages import in_language
from alongside.core.translations import merged_translations
from alongside.core.validators import is_time_zone
from alongside.matching import MatchingError, parse_availability
from alongside.matching.scoring import PARTS as SCORE_PARTS
from alongside.organisations.models import Membership, Organisation, Role
from alongside.outbox.services import email_enqueue
from alongside.people.models import Person
from alongside.programmes.availability_text import AvailabilityTextError, normalise_availability
from alongside.programmes.emails import intake_reminder_email
from alongside.programmes.events import EnrolmentWithdrawn, PeopleEnrolled, ProgrammeClosing
from alongside.programmes.format_defaults import (
    DEFAULT_TOPICS,
    TEMPLATES,
    TOPIC_LIMITS,
    rules_for,
)
from alongside.programmes.invitations import programme_welcome_queue
from alongside.programmes.models import (
    ALLOWED_TRANSITIONS,
    CommunicationPreference,
    Enrolment,
    EnrolmentRole,
    EnrolmentSource,
    EnrolmentStatus,
    Format,
    Intake,
    Programme,
    Rhythm,
    Stage,
    new_enrol_token,
)
from alongside.spreadsheets.cells import control_character_problem
from alongside.spreadsheets.people import CsvProblem, check_email, decode_csv_bytes

RULE_KEYS = frozenset(rules_for(Format.PEER_PAIRS).keys())
INTENTS = ("tension", "familiarity", "balanced")


def _fail(message: str, field: str | None = None, problems: list[Problem] | None = None) -> None:
    raise AlongsideError(message, problems=problems or ([Problem(message, field)] if field else []))


def clean_rules(format: str, rules: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Validate matching rules against what the engine understands."""
    problems = [
        Problem(_("is not a matching rule."), f"rules.{key}")
        for key in rules
        if key not in RULE_KEYS
    ]
    merged = rules_for(format, {k: v for k, v in rules.items() if k in RULE_KEYS})
    if merged["intent"] not in INTENTS:
        problems.append(Problem(_("must be tension, familiarity or balanced."), "rules.intent"))
    for key in (
        "min_size",
        "max_size",
        "target_size",
        "max_level_gap",
        "mentor_min_level_gap",
        "max_per_function",
        "default_capacity",
    ):
        value = merged[key]
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(Problem(_("must be a whole number, 0 or more."), f"rules.{key}"))
    if not problems:
        if merged["min_size"] < 2 or merged["min_size"] > merged["max_size"]:
            problems.append(
                Problem(
                    _(
                        "circle sizes %(merged)s–%(merged2)s are not possible: the minimum "
                        "must be at least 2 and not above the maximum."
                    )
                    % {"merged": merged["min_size"], "merged2": merged["max_size"]},
                    "rules.min_size",
                )
            )
        target = merged["target_size"]
        if target is not None and not merged["min_size"] <= target <= merged["max_size"]:
            problems.append(
                Problem(_("must lie between the minimum and maximum size."), "rules.target_size")
            )
        if merged["default_capacity"] < 1:
            problems.append(Problem(_("must be at least 1."), "rules.default_capacity"))
    problems.extend(_weight_problems(merged["weights"]))
    tz_gap = merged["max_timezone_difference"]
    if tz_gap is not None and (not isinstance(tz_gap, int | float) or not 0 <= tz_gap <= 24):
        problems.append(
            Problem(_("must be a number of hours from 0 to 24."), "rules.max_timezone_difference")
        )
    return merged, problems


def _weight_problems(weights: Any) -> list[Problem]:
    """Learned or chosen points per criterion: every criterion, each 0 to 100."""
    if weights is None:
        return []
    if not isinstance(weights, dict):
        return [Problem(_("must map each scoring criterion to its points."), "rules.weights")]
    problems = [
        Problem(
            _("%(name)s is not a scoring criterion; the criteria are %(names)s.")
            % {"name": key, "names": ", ".join(SCORE_PARTS)},
            "rules.weights",
        )
        for key in weights
        if key not in SCORE_PARTS
    ]
    for name in SCORE_PARTS:
        value = weights.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            problems.append(
                Problem(_("must be a number of points from 0 to 100."), f"rules.weights.{name}")
            )
    return problems


def _clean_programme(fields: dict[str, Any], format: str) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    cleaned: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "name":
            value = (value or "").strip()
            if not value:
                problems.append(Problem(_("is empty; give the programme a name."), "name"))
            elif len(value) > 200:
                problems.append(Problem(_("is longer than 200 characters."), "name"))
        elif key == "purpose":
            value = (value or "").strip()
        elif key == "rhythm" and value not in Rhythm.values:
            problems.append(Problem(_("must be weekly, fortnightly or monthly."), "rhythm"))
        elif key == "session_minutes" and (not isinstance(value, int) or not 15 <= value <= 240):
            problems.append(Problem(_("must be between 15 and 240 minutes."), "session_minutes"))
        elif key in ("capability_areas", "topics"):
            value = list(dict.fromkeys(str(v).strip() for v in (value or []) if str(v).strip()))
            if key == "capability_areas" and not 3 <= len(value) <= 8:
                problems.append(
                    Problem(
                        _("has %(value)s areas; a programme develops 3 to 8 capability areas.")
                        % {"value": len(value)},
                        "capability_areas",
                    )
                )
        elif key == "matching_rules":
            value, rule_problems = clean_rules(format, value or {})
            problems.extend(rule_problems)
        elif key in ("start_date", "end_date") and not isinstance(value, date):
            problems.append(Problem(_("must be a date (YYYY-MM-DD)."), key))
        elif key == "checkpoint_date" and value is not None and not isinstance(value, date):
            problems.append(Problem(_("must be a date (YYYY-MM-DD) or empty."), key))
        cleaned[key] = value
    start, end = cleaned.get("start_date"), cleaned.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and end <= start:
        problems.append(Problem(_("must be after the start date."), "end_date"))
    checkpoint = cleaned.get("checkpoint_date")
    if (
        isinstance(checkpoint, date)
        and isinstance(start, date)
        and isinstance(end, date)
        and not start < checkpoint < end
    ):
        problems.append(
            Problem(_("must fall between the programme's start and end dates."), "checkpoint_date")
        )
    return cleaned, problems


@transaction.atomic
def programme_create(
    *,
    organisation: Organisation,
    actor: User,
    name: str,
    format: str,
    start_date: date | None = None,
    end_date: date | None = None,
    **fields: Any,
) -> Programme:
    """Create a draft programme from its format's template; any field may be overridden."""
    if format not in Format.values:
        allowed = ", ".join(Format.values)
        _fail(f"'{format}' is not a format. Choose one of: {allowed}.", "format")
    template = TEMPLATES[format]
    start = start_date or timezone.localdate() + timedelta(days=14)
    # The format's texts, in the organisation's language (managers may change them).
    with in_language(organisation.language):
        purpose = str(template.purpose)
        areas = [str(area) for area in template.capability_areas]
        topics = [str(topic) for topic in DEFAULT_TOPICS]
    translations = _template_translations(
        organisation.language,
        {"capability_areas": template.capability_areas, "topics": DEFAULT_TOPICS},
    )
    values: dict[str, Any] = {
        "name": name,
        "purpose": purpose,
        "rhythm": template.rhythm,
        "session_minutes": template.session_minutes,
        "capability_areas": areas,
        "topics": topics,
        "matching_rules": {},
        "start_date": start,
        "end_date": end_date or start + timedelta(weeks=template.weeks),
    }
    given_translations = fields.pop("translations", None)
    values.update({k: v for k, v in fields.items() if v is not None})
    cleaned, problems = _clean_programme(values, format)
    # The catalogues' translations fit the template's lists only; changed lists start bare.
    templated = {"capability_areas": areas, "topics": topics}
    translations = {
        code: kept
        for code, written in translations.items()
        if (kept := {f: items for f, items in written.items() if cleaned.get(f) == templated[f]})
    }
    if given_translations is not None and not problems:
        try:
            translations = merged_translations(
                translations,
                given_translations,
                text_fields={},
                list_fields={f: cleaned[f] for f in Programme.translated_fields},
            )
        except AlongsideError as error:
            problems.extend(error.problems)
    if problems:
        raise AlongsideError(_("The programme could not be created."), problems=problems)
    programme = Programme.objects.create(
        organisation=organisation,
        content_language=organisation.language,
        format=format,
        created_by=actor,
        translations=translations,
        **cleaned,
    )
    programme.managers.add(actor)
    log_action(
        actor=actor,
        organisation=organisation,
        action="programme.created",
        target=programme,
        data={"format": format},
    )
    return programme


def _template_translations(
    source_language: str, lists: dict[str, Any]
) -> dict[str, dict[str, list[str]]]:
    """A template's lists in every shipped language but the source's, from the catalogues
    (only the languages where something reads differently)."""
    translations: dict[str, dict[str, list[str]]] = {}
    with in_language(source_language):
        sources = {field: [str(item) for item in items] for field, items in lists.items()}
    for code, _name in settings.LANGUAGES:
        if code == source_language:
            continue
        with in_language(code):
            written = {field: [str(item) for item in items] for field, items in lists.items()}
        written = {f: items for f, items in written.items() if items != sources[f]}
        if written:
            translations[code] = written
    return translations


EDITABLE = (
    "name",
    "purpose",
    "start_date",
    "end_date",
    "checkpoint_date",
    "rhythm",
    "session_minutes",
    "capability_areas",
    "topics",
    "matching_rules",
    "translations",
)


@transaction.atomic
def programme_update(*, programme: Programme, actor: User, **fields: Any) -> Programme:
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise AlongsideError(
            _("Some fields cannot be changed."),
            problems=[Problem(_("cannot be changed here."), f) for f in unknown],
        )
    given_translations = fields.pop("translations", None)
    merged = {k: getattr(programme, k) for k in ("start_date", "end_date", "checkpoint_date")}
    merged.update(fields)
    if "matching_rules" in fields:
        merged["matching_rules"] = {**programme.matching_rules, **(fields["matching_rules"] or {})}
    cleaned, problems = _clean_programme(merged, programme.format)
    if not problems:
        # Each translation follows its item when a list changes; then what was sent.
        translations = dict(programme.translations)
        for field in Programme.translated_fields:
            if field in cleaned:
                translations = realign(
                    translations, field, getattr(programme, field), cleaned[field]
                )
        if given_translations is not None:
            try:
                translations = merged_translations(
                    translations,
                    given_translations,
                    text_fields={},
                    list_fields={
                        f: cleaned.get(f, getattr(programme, f))
                        for f in Programme.translated_fields
                    },
                )
            except AlongsideError as error:
                problems.extend(error.problems)
        cleaned["translations"] = translations
    if problems:
        raise AlongsideError(_("The changes could not be saved."), problems=problems)
    if programme.stage == Stage.CLOSED:
        _fail("A closed programme cannot be changed.")
    changed = [k for k, v in cleaned.items() if getattr(programme, k) != v]
    for key in changed:
        setattr(programme, key, cleaned[key])
    if changed:
        programme.updated_at = timezone.now()
        programme.save()
        log_action(
            actor=actor,
            organisation=programme.organisation,
            action="programme.updated",
            target=programme,
            data={"fields": changed},
        )
    return programme


@transaction.atomic
def programme_transition(*, programme: Programme, actor: User, to: str) -> Programme:
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if to not in Stage.values:
        _fail(f"'{to}' is not a stage.", "stage")
    if to not in ALLOWED_TRANSITIONS[locked.stage]:
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[locked.stage])) or "none"
        raise AlongsideError(
            _("A programme cannot go from %(lower)s to %(to)s. Allowed next stages: %(allowed)s.")
            % {"lower": locked.get_stage_display().lower(), "to": to, "allowed": allowed},
            code="invalid_transition",
        )
    if (
        to == Stage.MATCHING
        and not locked.enrolments.filter(status=EnrolmentStatus.ACTIVE).exists()
    ):
        _fail("Enrol some participants before matching.")
    old = locked.stage
    if to == Stage.CLOSED:
        # Relationships end with the programme unless two or more members chose to go on.
        emit(
            ProgrammeClosing(
                organisation_id=locked.organisation_id,
                programme_id=locked.pk,
                actor_id=actor.pk,
            )
        )
    locked.stage = to
    if to != Stage.ENROLLING and old == Stage.ENROLLING:
        locked.self_enrol_open = False
    locked.updated_at = timezone.now()
    locked.save()
    # Callers often keep using the instance they passed in; keep it current.
    programme.stage, programme.self_enrol_open = locked.stage, locked.self_enrol_open
    log_action(
        actor=actor,
        organisation=locked.organisation,
        action="programme.stage_changed",
        target=locked,
        data={"from": old, "to": to},
    )
    return locked


@transaction.atomic
def programme_set_managers(*, programme: Programme, actor: User, users: Iterable[User]) -> None:
    users = list(users)
    roles = dict(
        Membership.objects.filter(organisation=programme.organisation, user__in=users).values_list(
            "user_id", "role"
        )
    )
    problems = [
        Problem(
            _("%(user)s is not a member of this organisation.") % {"user": user.email}, "managers"
        )
        if user.pk not in roles
        else Problem(
            _("%(user)s is a member; only admins and programme managers can manage a programme.")
            % {"user": user.email},
            "managers",
        )
        for user in users
        if roles.get(user.pk) not in (Role.ADMIN, Role.PROGRAMME_MANAGER)
    ]
    if problems:
        raise AlongsideError(_("The managers could not be set."), problems=problems)
    programme.managers.set(users)
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="programme.managers_set",
        target=programme,
        data={"managers": [u.email for u in users]},
    )


def _default_role(programme: Programme, role: str | None) -> str:
    if programme.is_mentoring:
        if role not in (EnrolmentRole.MENTOR, EnrolmentRole.MENTEE):
            _fail("In a mentoring programme each participant is a mentor or a mentee.", "role")
        return str(role)
    if role not in (None, "", EnrolmentRole.PEER):
        _fail(
            f"{programme.get_format_display()} has peers only; there are no mentors or mentees.",
            "role",
        )
    return EnrolmentRole.PEER


def _check_open_for_enrolment(programme: Programme) -> None:
    if programme.stage in (Stage.CLOSING, Stage.CLOSED):
        _fail(f"The programme is {programme.get_stage_display().lower()}; no one can join now.")


@transaction.atomic
def enrolment_add(
    *,
    programme: Programme,
    actor: User | None,
    people: Iterable[Person],
    role: str | None = None,
    capacity: int | None = None,
    source: str = EnrolmentSource.DIRECTORY,
    welcome: bool = True,
) -> list[Enrolment]:
    """Enrol people (skipping those already enrolled; re-activating the withdrawn).

    Those enrolled by someone else are emailed the programme's welcome, which is the
    invitation of anyone without an account (programmes/invitations.py), unless
    ``welcome`` is off. The programme's row is locked first: two requests enrolling the
    same person at the same moment queue here, and the second finds the first one's
    enrolment and skips it.
    """
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    _check_open_for_enrolment(programme)
    role = _default_role(programme, role)
    if capacity is None:
        capacity = int(programme.rule("default_capacity", 1)) if role == "mentor" else 1
    if not 1 <= capacity <= 50:
        _fail("must be between 1 and 50.", "capacity")
    late = programme.stage in (Stage.MATCHING, Stage.RUNNING)
    existing = {e.person_id: e for e in programme.enrolments.all()}
    added: list[Enrolment] = []
    new: list[tuple[Enrolment, Person]] = []
    for person in people:
        if person.organisation_id != programme.organisation_id:
            _fail("Only people of this organisation can be enrolled.", "people")
        if not person.is_active:
            _fail(f"{person.name} is inactive and cannot be enrolled.", "people")
        enrolment = existing.get(person.pk)
        if enrolment is not None:
            if enrolment.status == EnrolmentStatus.WITHDRAWN:
                enrolment.status = EnrolmentStatus.ACTIVE
                enrolment.role = role  # they may come back as a mentor after being a mentee
                enrolment.capacity = capacity
                enrolment.withdrawn_at = None
                enrolment.withdrawn_reason = ""
                enrolment.late_joiner = late
                enrolment.save()
                added.append(enrolment)
            continue
        existing[person.pk] = enrolment = Enrolment(
            programme=programme,
            person=person,
            role=role,
            capacity=capacity,
            source=source,
            late_joiner=late,
        )
        new.append((enrolment, person))
    # A whole department is enrolled in a handful of queries, not two per person.
    Enrolment.objects.bulk_create([e for e, _p in new], batch_size=500)
    Intake.objects.bulk_create(
        [Intake(enrolment=e, timezone=p.timezone, languages=list(p.languages)) for e, p in new],
        batch_size=500,
    )
    added.extend(e for e, _p in new)
    if added:
        log_action(
            actor=actor,
            organisation=programme.organisation,
            action="enrolment.added",
            target=programme,
            data={"count": len(added), "source": source, "role": role},
        )
        emit(
            PeopleEnrolled(
                organisation_id=programme.organisation_id,
                programme_id=programme.pk,
                enrolment_ids=tuple(e.pk for e in added),
            )
        )
        if welcome and source != EnrolmentSource.SELF:
            programme_welcome_queue(
                programme=programme, enrolment_ids=[e.pk for e in added], actor=actor
            )
    return added


@transaction.atomic
def enrolment_import_emails(
    *, programme: Programme, actor: User, data: bytes, role: str | None = None
) -> list[Enrolment]:
    """Enrol people listed by email in a CSV (an `email` column, or one address a line).

    Optional columns `role` and `capacity` set each person's role in mentoring formats.
    Every problem is reported by row; with any problem nothing is written.
    """
    import csv
    import io

    text, problem = decode_csv_bytes(data)
    problems: list[CsvProblem] = [problem] if problem else []
    rows: list[tuple[int, dict[str, str]]] = []
    if text is not None:
        lines = list(csv.reader(io.StringIO(text, newline="")))
        lines = [line for line in lines if any(c.strip() for c in line)]
        if not lines:
            problems.append(CsvProblem(None, None, "the file is empty."))
        else:
            header = [h.strip().lower() for h in lines[0]]
            if "email" in header:
                body = lines[1:]
                start = 2
            else:
                header = ["email"]
                body = lines
                start = 1
            for unknown in [
                h for h in header if h and h not in ("email", "role", "capacity", "name")
            ]:
                problems.append(
                    CsvProblem(1, unknown, "unknown column; use email, role, capacity.")
                )
            for offset, line in enumerate(body):
                control = [
                    CsvProblem(
                        start + offset,
                        header[i] if i < len(header) and header[i] else f"column {i + 1}",
                        message,
                    )
                    for i, cell in enumerate(line)
                    if (message := control_character_problem(cell)) is not None
                ]
                if control:
                    problems.extend(control)
                    continue
                rows.append(
                    (start + offset, dict(zip(header, (c.strip() for c in line), strict=False)))
                )
    people = {
        p.email.lower(): p for p in Person.objects.filter(organisation=programme.organisation)
    }
    seen: dict[str, int] = {}
    plan: list[tuple[Person, str | None, int | None]] = []
    for row, values in rows:
        raw = values.get("email", "")
        email = check_email(raw) if raw else None
        if not email:
            problems.append(CsvProblem(row, "email", f"'{raw}' is not a valid email address."))
            continue
        if email in seen:
            problems.append(CsvProblem(row, "email", f"{email} is also on row {seen[email]}."))
            continue
        seen[email] = row
        person = people.get(email)
        if person is None:
            problems.append(CsvProblem(row, "email", f"{email} is not in the people directory."))
            continue
        if not person.is_active:
            problems.append(CsvProblem(row, "email", f"{email} is inactive."))
            continue
        row_role = values.get("role", "").lower() or role
        if programme.is_mentoring and row_role not in ("mentor", "mentee"):
            problems.append(CsvProblem(row, "role", "must be mentor or mentee."))
            continue
        capacity_text = values.get("capacity", "")
        capacity = None
        if capacity_text:
            if not capacity_text.isdigit() or not 1 <= int(capacity_text) <= 50:
                problems.append(CsvProblem(row, "capacity", "must be a whole number 1–50."))
                continue
            capacity = int(capacity_text)
        plan.append((person, row_role, capacity))
    if problems:
        raise AlongsideError(
            ngettext(
                "The file has %(count)s problem; no one was enrolled.",
                "The file has %(count)s problems; no one was enrolled.",
                len(problems),
            )
            % {"count": len(problems)},
            code="import_invalid",
            problems=[Problem(p.message, p.column, p.row) for p in problems],
        )
    # One enrolment call per (role, capacity), not one per row.
    by_terms: dict[tuple[str | None, int | None], list[Person]] = {}
    for person, row_role, capacity in plan:
        by_terms.setdefault((row_role, capacity), []).append(person)
    added: list[Enrolment] = []
    for (row_role, capacity), group in by_terms.items():
        added.extend(
            enrolment_add(
                programme=programme,
                actor=actor,
                people=group,
                role=row_role,
                capacity=capacity,
                source=EnrolmentSource.CSV,
            )
        )
    return added


@transaction.atomic
def self_enrol_set_open(
    *, programme: Programme, actor: User, open: bool, new_link: bool = False
) -> Programme:
    if open:
        _check_open_for_enrolment(programme)
    programme.self_enrol_open = open
    if new_link:
        programme.self_enrol_token = new_enrol_token()
    programme.save(update_fields=["self_enrol_open", "self_enrol_token"])
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="programme.self_enrol_opened" if open else "programme.self_enrol_closed",
        target=programme,
        data={"new_link": new_link},
    )
    return programme


@transaction.atomic
def self_enrol(*, programme: Programme, person: Person, role: str | None = None) -> Enrolment:
    if not programme.self_enrol_open:
        _fail("Self-enrolment for this programme is closed.")
    if person.organisation_id != programme.organisation_id:
        _fail("This programme belongs to another organisation.")
    added = enrolment_add(
        programme=programme,
        actor=person.user,
        people=[person],
        role=role,
        source=EnrolmentSource.SELF,
    )
    return added[0] if added else Enrolment.objects.get(programme=programme, person=person)


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, actor: User | None, reason: str = "") -> Enrolment:
    """Withdraw but keep history; a mentor's places are freed at once."""
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if locked.status == EnrolmentStatus.WITHDRAWN:
        return locked
    locked.status = EnrolmentStatus.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_reason = reason.strip()[:500]
    locked.save()
    # Its relationships lose this member, in this same transaction.
    emit(
        EnrolmentWithdrawn(
            organisation_id=locked.programme.organisation_id,
            programme_id=locked.programme_id,
            enrolment_id=locked.pk,
            actor_id=actor.pk if actor is not None else None,
        )
    )
    log_action(
        actor=actor,
        organisation=locked.programme.organisation,
        action="enrolment.withdrawn",
        target=locked,
        data={"reason": locked.withdrawn_reason},
    )
    return locked


def _clean_topics(
    values: Iterable[str], vocabulary: list[str], field: str
) -> tuple[list[str], list[Problem]]:
    by_fold = {v.casefold(): v for v in vocabulary}
    chosen, problems = [], []
    for value in values:
        canonical = by_fold.get(str(value).strip().casefold())
        if canonical is None:
            problems.append(
                Problem(
                    _(
                        "'%(value)s' is not one of the programme's topics; use the free-text "
                        "box for anything else."
                    )
                    % {"value": value},
                    field,
                )
            )
        elif canonical not in chosen:
            chosen.append(canonical)
    return chosen, problems


@transaction.atomic
def intake_save(
    *, enrolment: Enrolment, actor: User | None, complete: bool = True, **fields: Any
) -> Intake:
    """Save a participant's intake; ``complete`` marks it done once it has what matching needs."""
    intake = Intake.objects.select_for_update().get(enrolment=enrolment)
    vocabulary = enrolment.programme.topics
    problems: list[Problem] = []
    changed: list[str] = []
    for key, value in fields.items():
        if key in ("wants", "offers"):
            value, topic_problems = _clean_topics(value or [], vocabulary, key)
            problems.extend(topic_problems)
            limit = TOPIC_LIMITS[key]
            if len(value) > limit:
                problems.append(
                    Problem(
                        _(
                            "choose at most %(limit)s; you chose %(value)s. The fewer you choose, "
                            "the sharper your match."
                        )
                        % {"limit": limit, "value": len(value)},
                        key,
                    )
                )
        elif key in ("wants_other", "offers_other"):
            value = (value or "").strip()[:300]
        elif key == "goals":
            value = (value or "").strip()
        elif key == "timezone":
            value = (value or "").strip()
            if value and not is_time_zone(value):
                problems.append(
                    Problem(_("'%(value)s' is not a known IANA time zone.") % {"value": value}, key)
                )
        elif key == "availability":
            try:
                value = normalise_availability(value or "")
                if value:
                    parse_availability(value)
            except (AvailabilityTextError, MatchingError) as error:
                problems.append(Problem(str(error), key))
                continue
        elif key == "communication_preference":
            if value and value not in CommunicationPreference.values:
                problems.append(Problem(_("must be video, in_person or chat."), key))
        elif key == "languages":
            value = list(dict.fromkeys(str(v).strip() for v in (value or []) if str(v).strip()))
        else:
            problems.append(Problem(_("is not part of the intake."), key))
            continue
        if getattr(intake, key) != value:
            changed.append(key)
        setattr(intake, key, value)
    if complete and not problems:
        if not (intake.wants or intake.wants_other):
            problems.append(Problem(_("choose at least one thing you want to develop."), "wants"))
        if not (intake.offers or intake.offers_other) and enrolment.role != EnrolmentRole.MENTEE:
            problems.append(Problem(_("choose at least one thing you can offer."), "offers"))
    if problems:
        raise AlongsideError(_("The intake could not be saved."), problems=problems)
    if not complete and not changed:
        return intake  # saving as you go: nothing new, nothing to write or audit
    intake.updated_at = timezone.now()
    if complete and intake.completed_at is None:
        intake.completed_at = intake.updated_at
    intake.save()
    log_action(
        actor=actor,
        organisation=enrolment.programme.organisation,
        action="intake.completed" if complete else "intake.saved",
        target=enrolment,
    )
    return intake


@transaction.atomic
def intake_send_reminders(*, programme: Programme, actor: User) -> int:
    """Email everyone whose intake is not done yet; returns how many were reminded."""
    pending = list(
        Intake.objects.select_related("enrolment__person__user").filter(
            enrolment__programme=programme,
            enrolment__status=EnrolmentStatus.ACTIVE,
            completed_at__isnull=True,
        )
    )
    now = timezone.now()
    for intake in pending:
        message = intake_reminder_email(person=intake.enrolment.person, programme=programme)
        email_enqueue(message, kind="intake_reminder", organisation_id=programme.organisation_id)
        intake.reminded_at = now
        intake.reminder_count += 1
    Intake.objects.bulk_update(pending, ["reminded_at", "reminder_count"])
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="intake.reminded",
        target=programme,
        data={"count": len(pending)},
    )
    return len(pending)


@transaction.atomic
def programme_set_managers_by_email(
    *, programme: Programme, actor: User, emails: Iterable[str]
) -> None:
    """The API's form of :func:`programme_set_managers`: every unknown address is named."""
    wanted = [e.strip().lower() for e in emails if e.strip()]
    users = {u.email: u for u in User.objects.filter(email__in=wanted)}
    unknown = [e for e in wanted if e not in users]
    if unknown:
        raise AlongsideError(
            _("The managers could not be set."),
            problems=[
                Problem(_("no one has an account as %(e)s.") % {"e": e}, "managers")
                for e in unknown
            ],
        )
    programme_set_managers(programme=programme, actor=actor, users=users.values())
