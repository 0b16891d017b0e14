from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from alongside.accounts.models import User
from alongside.organisations.forms import time_zone_choices
from alongside.organisations.models import Role
from alongside.people.forms import PeopleFilterForm
from alongside.people.models import Person
from alongside.programmes.availability_text import AvailabilityTextError, slots_of, text_of
from alongside.programmes.format_defaults import TOPIC_LIMITS, group_topics
from alongside.programmes.models import (
    CommunicationPreference,
    EnrolmentRole,
    Format,
    Programme,
    Rhythm,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MENTORING_ROLES = [
    (EnrolmentRole.MENTEE.value, gettext_lazy("Mentee")),
    (EnrolmentRole.MENTOR.value, gettext_lazy("Mentor")),
]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def split_languages(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]


class ProgrammeCreateForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=Format.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "The common thread, e.g. 'new managers in their first 12 months'. "
            "Leave empty to use the format's."
        ),
    )
    start_date = forms.DateField(
        label=gettext_lazy("Start date"),
        required=False,
        widget=DATE,
        help_text=gettext_lazy("Default: in two weeks."),
    )
    end_date = forms.DateField(
        label=gettext_lazy("End date"),
        required=False,
        widget=DATE,
        help_text=gettext_lazy("Default: the format's usual length."),
    )


# Which matching rules make sense for each format (the rest keep their defaults).
COMMON_RULES = (
    "intent",
    "max_timezone_difference",
    "must_share_language",
    "avoid_reporting_line",
    "avoid_previous_partners",
)
RULES_BY_FORMAT: dict[str, tuple[str, ...]] = {
    Format.PEER_PAIRS: (*COMMON_RULES, "max_level_gap"),
    Format.PEER_CIRCLES: (
        *COMMON_RULES,
        "min_size",
        "max_size",
        "target_size",
        "max_level_gap",
        "max_per_function",
    ),
    Format.ONE_TO_ONE: (*COMMON_RULES, "mentor_min_level_gap", "default_capacity"),
    Format.GROUP_MENTORING: (*COMMON_RULES, "mentor_min_level_gap", "default_capacity"),
    Format.BUDDIES: (*COMMON_RULES, "max_level_gap"),
    Format.FLASH_ROUNDS: ("avoid_reporting_line",),
}
RULE_FIELDS = frozenset(f for names in RULES_BY_FORMAT.values() for f in names)


def _count(label: Any, required: bool = True, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, min_value=0, **kwargs)


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.email)


class ProgrammeEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    start_date = forms.DateField(label=gettext_lazy("Start date"), widget=DATE)
    end_date = forms.DateField(label=gettext_lazy("End date"), widget=DATE)
    checkpoint_date = forms.DateField(
        widget=DATE,
        required=False,
        label=gettext_lazy("Checkpoint (optional)"),
        help_text=gettext_lazy("A date midway where each member chooses to continue or close."),
    )
    rhythm = forms.ChoiceField(choices=Rhythm.choices, label=gettext_lazy("Meeting rhythm"))
    session_minutes = forms.IntegerField(label=gettext_lazy("Session length (minutes)"))
    capability_areas = forms.CharField(
        label=gettext_lazy("Capability areas"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("One per line, 3 to 8. They drive the intake and the surveys."),
    )
    topics = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        label=gettext_lazy("Topic vocabulary"),
        help_text=gettext_lazy(
            "One per line: what people can say they want to develop or can offer."
        ),
    )
    managers = UserChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Admins and programme managers who run this programme."),
    )
    intent = forms.ChoiceField(
        label=gettext_lazy("Matching intent"),
        choices=[
            ("tension", gettext_lazy("Productive tension — different functions and experience")),
            ("familiarity", gettext_lazy("Productive familiarity — shared context")),
            ("balanced", gettext_lazy("Balanced")),
        ],
    )
    min_size = _count(gettext_lazy("Smallest circle"))
    max_size = _count(gettext_lazy("Largest circle"))
    target_size = _count(gettext_lazy("Preferred circle size"), required=False)
    max_level_gap = _count(gettext_lazy("Largest level gap between peers"))
    mentor_min_level_gap = _count(gettext_lazy("Mentor at least this many levels above the mentee"))
    max_timezone_difference = forms.FloatField(
        required=False,
        min_value=0,
        max_value=24,
        label=gettext_lazy("Largest time-zone difference (hours)"),
        help_text=gettext_lazy("Empty: no limit."),
    )
    must_share_language = forms.BooleanField(
        required=False, label=gettext_lazy("Must share a language")
    )
    avoid_reporting_line = forms.BooleanField(
        required=False, label=gettext_lazy("Never match someone within their own reporting line")
    )
    avoid_previous_partners = forms.BooleanField(
        required=False, label=gettext_lazy("Never repeat a previous pairing")
    )
    max_per_function = _count(
        gettext_lazy("At most this many from one function per circle"),
        required=False,
        help_text=gettext_lazy("Empty: no limit."),
    )
    default_capacity = forms.IntegerField(
        min_value=1,
        max_value=50,
        label=gettext_lazy("Default mentor capacity (mentees per mentor)"),
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        managers = self.fields["managers"]
        assert isinstance(managers, forms.ModelMultipleChoiceField)
        managers.queryset = User.objects.filter(
            memberships__organisation_id=programme.organisation_id,
            memberships__role__in=[Role.ADMIN, Role.PROGRAMME_MANAGER],
        ).order_by("full_name", "email")
        relevant = RULES_BY_FORMAT[programme.format]
        for name in RULE_FIELDS - set(relevant):
            del self.fields[name]

    @property
    def rule_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name in RULE_FIELDS]

    @property
    def programme_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in RULE_FIELDS]

    def changes(self) -> dict[str, Any]:
        """The cleaned data shaped as programme_update's keyword arguments."""
        data = dict(self.cleaned_data)
        data.pop("managers", None)
        rules = {name: data.pop(name) for name in list(data) if name in RULE_FIELDS}
        tz_gap = rules.get("max_timezone_difference")
        if isinstance(tz_gap, float) and tz_gap.is_integer():
            rules["max_timezone_difference"] = int(tz_gap)
        data["capability_areas"] = lines(data["capability_areas"])
        data["topics"] = lines(data["topics"])
        data["matching_rules"] = rules
        return data

    @staticmethod
    def initial_for(programme: Programme) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": programme.name,
            "purpose": programme.purpose,
            "start_date": programme.start_date,
            "end_date": programme.end_date,
            "checkpoint_date": programme.checkpoint_date,
            "rhythm": programme.rhythm,
            "session_minutes": programme.session_minutes,
            "capability_areas": "\n".join(programme.capability_areas),
            "topics": "\n".join(programme.topics),
            "managers": list(programme.managers.all()),
        }
        initial.update({k: v for k, v in programme.matching_rules.items() if k in RULE_FIELDS})
        return initial


class DirectoryFilterForm(PeopleFilterForm):
    start_from = forms.DateField(
        required=False, label=gettext_lazy("Started on or after"), widget=DATE
    )
    start_to = forms.DateField(
        required=False, label=gettext_lazy("Started on or before"), widget=DATE
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["status"]


class EnrolForm(forms.Form):
    scope = forms.ChoiceField(
        label=gettext_lazy("Scope"),
        choices=[
            ("selected", gettext_lazy("The selected people")),
            ("all", gettext_lazy("Everyone matching the filters")),
        ],
        initial="selected",
    )
    people = forms.ModelMultipleChoiceField(
        label=gettext_lazy("People"), queryset=Person.objects.none(), required=False
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=MENTORING_ROLES, required=False)
    capacity = forms.IntegerField(
        label=gettext_lazy("Capacity"),
        min_value=1,
        max_value=50,
        required=False,
        help_text=gettext_lazy("Mentors only; empty uses the programme's default."),
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = self.fields["people"]
        assert isinstance(people, forms.ModelMultipleChoiceField)
        people.queryset = Person.objects.filter(organisation_id=programme.organisation_id)
        if not programme.is_mentoring:
            del self.fields["role"]
            del self.fields["capacity"]


class EnrolCsvForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV of emails"),
        help_text=gettext_lazy(
            "An 'email' column (optional 'role' and 'capacity'), or one address a line."
        ),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[("", gettext_lazy("Take it from the file")), *MENTORING_ROLES],
        required=False,
        help_text=gettext_lazy("For rows without a role."),
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not programme.is_mentoring:
            del self.fields["role"]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, required=False)


class JoinForm(forms.Form):
    role = forms.ChoiceField(
        choices=MENTORING_ROLES, widget=forms.RadioSelect, label=gettext_lazy("I join as")
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not programme.is_mentoring:
            del self.fields["role"]


# The weekly grid on the intake page: one cell per hour from 06:00 to 22:00, Monday first.
GRID_HOURS = range(6, 22)


def _grid_cells(slots: set[int]) -> set[str]:
    """The grid's cells ("day-hour") that the half-hour slots fully cover."""
    return {
        f"{day}-{hour}"
        for day in range(7)
        for hour in GRID_HOURS
        if {day * 48 + hour * 2, day * 48 + hour * 2 + 1} <= slots
    }


def form_cells(text: str) -> set[str]:
    """The grid cells of availability text (none if it cannot be read)."""
    try:
        return _grid_cells(slots_of(text))
    except AvailabilityTextError:
        return set()


def _grid_slots(cells: list[str]) -> set[int]:
    slots: set[int] = set()
    for cell in cells:
        day, hour = (int(part) for part in cell.split("-"))
        slots.update({day * 48 + hour * 2, day * 48 + hour * 2 + 1})
    return slots


class IntakeForm(forms.Form):
    wants = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("What I want to develop"),
    )
    wants_other = forms.CharField(
        max_length=300, required=False, label=gettext_lazy("Anything else I want")
    )
    offers = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("What I can offer")
    )
    offers_other = forms.CharField(
        max_length=300, required=False, label=gettext_lazy("Anything else I offer")
    )
    goals = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("My goals for this programme"),
    )
    availability = forms.CharField(
        max_length=300,
        required=False,
        label=gettext_lazy("Or type it (in my time zone)"),
        help_text=gettext_lazy(
            "For example: Mon-Thu 10:00-12:00, 14:00-17:00 · weekdays 9am-5pm · Tue & Thu 14-16"
        ),
    )
    availability_grid = forms.MultipleChoiceField(
        label=gettext_lazy("Availability grid"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(f"{d}-{h}", f"{d}-{h}") for d in range(7) for h in GRID_HOURS],
    )
    availability_source = forms.CharField(required=False, widget=forms.HiddenInput)
    timezone = forms.ChoiceField(
        required=False,
        label=gettext_lazy("My time zone"),
        choices=lambda: [("", "—"), *time_zone_choices()],
    )
    communication_preference = forms.ChoiceField(
        required=False,
        choices=CommunicationPreference.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("I prefer to meet by"),
    )
    languages = forms.CharField(
        required=False,
        label=gettext_lazy("Languages I can mentor in"),
        help_text=gettext_lazy("Separate with semicolons."),
    )

    def __init__(self, *args: Any, topics: Mapping[str, str] | list[str], **kwargs: Any) -> None:
        """``topics``: the programme's topics, or each topic (the value stored) → its label
        in the reader's language."""
        super().__init__(*args, **kwargs)
        labels = topics if isinstance(topics, Mapping) else {t: t for t in topics}
        for name in ("wants", "offers"):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = list(labels.items())
        self.initial.setdefault(
            "availability_grid", sorted(_grid_cells(self._slots(self.initial.get("availability"))))
        )

    @staticmethod
    def _slots(text: str | None) -> set[int]:
        try:
            return slots_of(text or "")
        except AvailabilityTextError:
            return set()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, limit in TOPIC_LIMITS.items():
            chosen = data.get(name) or []
            if len(chosen) > limit:
                self.add_error(
                    name,
                    f"Choose at most {limit}; you chose {len(chosen)}. The fewer you choose, "
                    "the sharper your match.",
                )
        text = data.get("availability", "")
        grid = data.get("availability_grid")
        # The grid counts only where the page showed it (an answer without it keeps the
        # availability), and wins when it was used last or is all that changed.
        shown = bool(self.data.get("availability_grid_shown"))
        from_grid = shown and (
            data.get("availability_source") == "grid"
            or (
                text.strip() == (self.initial.get("availability") or "").strip()
                and set(grid or []) != set(self.initial.get("availability_grid") or [])
            )
        )
        if from_grid:
            # Keep what the grid cannot show (before 06:00, from 22:00) and replace the
            # rest with the cells ticked.
            area = _grid_slots([f"{d}-{h}" for d in range(7) for h in GRID_HOURS])
            outside = self._slots(self.initial.get("availability")) - area
            data["availability"] = text_of(outside | _grid_slots(grid or []))
        return data

    def intake_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("availability_grid", None)
        data.pop("availability_source", None)
        data["languages"] = split_languages(data["languages"])
        return data

    def intake_fields_partial(self) -> dict[str, Any]:
        """The answers that are valid so far (saving as you go keeps those)."""
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        data.pop("availability_grid", None)
        data.pop("availability_source", None)
        if "languages" in data:
            data["languages"] = split_languages(data["languages"])
        return data

    def topic_groups(self, name: str) -> list[dict[str, Any]]:
        """The checkboxes of ``wants`` or ``offers`` under their headings."""
        boxes = {box.data["value"]: box for box in self[name]}
        return [
            {"heading": heading, "boxes": [boxes[t] for t in topics if t in boxes]}
            for heading, topics in group_topics([str(v) for v in boxes])
        ]

    def grid_rows(self) -> list[dict[str, Any]]:
        """The weekly grid: a row an hour, a checkbox a day, each named for screen readers."""
        chosen = set(self["availability_grid"].value() or [])
        return [
            {
                "hour": f"{hour:02d}:00",
                "cells": [
                    {
                        "value": f"{day}-{hour}",
                        "checked": f"{day}-{hour}" in chosen,
                        "label": f"{DAY_LABELS[day]} {hour:02d}:00–{hour + 1:02d}:00",
                        "day": day,
                        "hour": hour,
                    }
                    for day in range(7)
                ],
            }
            for hour in GRID_HOURS
        ]


DAY_LABELS = tuple(WEEKDAYS[day] for day in range(7))


class ProgrammeLanguageForm(forms.Form):
    """The capability areas and topics written in one language, one per line in the order of
    the originals (they stay what intakes and matching store; these are what readers see)."""

    capability_areas = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label=gettext_lazy("Capability areas"),
    )
    topics = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        label=gettext_lazy("Topic vocabulary"),
    )

    def __init__(
        self, *args: Any, programme: Programme, language: str, language_name: str, **kwargs: Any
    ) -> None:
        self.programme, self.language, self.language_name = programme, language, language_name
        written = programme.translations.get(language, {})
        kwargs.setdefault(
            "initial",
            {field: "\n".join(written.get(field) or []) for field in Programme.translated_fields},
        )
        super().__init__(*args, **kwargs)
        self.fields["capability_areas"].help_text = _(
            "One per line, in the order of the originals: %(originals)s."
        ) % {"originals": ", ".join(programme.capability_areas)}
        self.fields["topics"].help_text = _(
            "One per line, in the order of the originals. Leave it empty to show the originals."
        )

    def _clean_list(self, field: str) -> list[str]:
        written = lines(self.cleaned_data.get(field) or "")
        source = getattr(self.programme, field)
        if written and len(written) != len(source):
            message = ngettext(
                "You wrote %(count)s line in %(language)s but there are %(source)s "
                "originals; write one for each, in the same order.",
                "You wrote %(count)s lines in %(language)s but there are %(source)s "
                "originals; write one for each, in the same order.",
                len(written),
            ) % {"count": len(written), "language": self.language_name, "source": len(source)}
            raise forms.ValidationError(message)
        return written

    def clean_capability_areas(self) -> list[str]:
        return self._clean_list("capability_areas")

    def clean_topics(self) -> list[str]:
        return self._clean_list("topics")

    def translations(self) -> dict[str, Any]:
        """programme_update's ``translations`` for this language (empty: not written)."""
        written = {f: self.cleaned_data[f] for f in Programme.translated_fields}
        kept = {f: items for f, items in written.items() if items}
        return {self.language: kept or None}
