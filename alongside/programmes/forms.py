from __future__ import annotations

from typing import Any

from django import forms

from alongside.accounts.models import User
from alongside.organisations.forms import time_zone_choices
from alongside.organisations.models import Role
from alongside.people.forms import PeopleFilterForm
from alongside.people.models import Person
from alongside.programmes.models import (
    CommunicationPreference,
    EnrolmentRole,
    Format,
    Programme,
    Rhythm,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MENTORING_ROLES = [(EnrolmentRole.MENTEE.value, "Mentee"), (EnrolmentRole.MENTOR.value, "Mentor")]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def split_languages(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]


class ProgrammeCreateForm(forms.Form):
    format = forms.ChoiceField(choices=Format.choices, widget=forms.RadioSelect)
    name = forms.CharField(max_length=200)
    purpose = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The common thread, e.g. 'new managers in their first 12 months'. "
        "Leave empty to use the format's.",
    )
    start_date = forms.DateField(required=False, widget=DATE, help_text="Default: in two weeks.")
    end_date = forms.DateField(
        required=False, widget=DATE, help_text="Default: the format's usual length."
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
}
RULE_FIELDS = frozenset(f for names in RULES_BY_FORMAT.values() for f in names)


def _count(label: str, required: bool = True, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, min_value=0, **kwargs)


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.email)


class ProgrammeEditForm(forms.Form):
    name = forms.CharField(max_length=200)
    purpose = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE)
    checkpoint_date = forms.DateField(
        widget=DATE,
        required=False,
        label="Checkpoint (optional)",
        help_text="A date midway where each member chooses to continue or close.",
    )
    rhythm = forms.ChoiceField(choices=Rhythm.choices, label="Meeting rhythm")
    session_minutes = forms.IntegerField(label="Session length (minutes)")
    capability_areas = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line, 3 to 8. They drive the intake and the surveys.",
    )
    topics = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        label="Topic vocabulary",
        help_text="One per line: what people can say they want to develop or can offer.",
    )
    managers = UserChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Admins and programme managers who run this programme.",
    )
    intent = forms.ChoiceField(
        label="Matching intent",
        choices=[
            ("tension", "Productive tension — different functions and experience"),
            ("familiarity", "Productive familiarity — shared context"),
            ("balanced", "Balanced"),
        ],
    )
    min_size = _count("Smallest circle")
    max_size = _count("Largest circle")
    target_size = _count("Preferred circle size", required=False)
    max_level_gap = _count("Largest level gap between peers")
    mentor_min_level_gap = _count("Mentor at least this many levels above the mentee")
    max_timezone_difference = forms.FloatField(
        required=False,
        min_value=0,
        max_value=24,
        label="Largest time-zone difference (hours)",
        help_text="Empty: no limit.",
    )
    must_share_language = forms.BooleanField(required=False, label="Must share a language")
    avoid_reporting_line = forms.BooleanField(
        required=False, label="Never match someone within their own reporting line"
    )
    avoid_previous_partners = forms.BooleanField(
        required=False, label="Never repeat a previous pairing"
    )
    max_per_function = _count(
        "At most this many from one function per circle",
        required=False,
        help_text="Empty: no limit.",
    )
    default_capacity = forms.IntegerField(
        min_value=1, max_value=50, label="Default mentor capacity (mentees per mentor)"
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
    start_from = forms.DateField(required=False, label="Started on or after", widget=DATE)
    start_to = forms.DateField(required=False, label="Started on or before", widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["status"]


class EnrolForm(forms.Form):
    scope = forms.ChoiceField(
        choices=[("selected", "The selected people"), ("all", "Everyone matching the filters")],
        initial="selected",
    )
    people = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False)
    role = forms.ChoiceField(choices=MENTORING_ROLES, required=False)
    capacity = forms.IntegerField(
        min_value=1,
        max_value=50,
        required=False,
        help_text="Mentors only; empty uses the programme's default.",
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
        label="CSV of emails",
        help_text="An 'email' column (optional 'role' and 'capacity'), or one address a line.",
    )
    role = forms.ChoiceField(
        choices=[("", "Take it from the file"), *MENTORING_ROLES],
        required=False,
        help_text="For rows without a role.",
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not programme.is_mentoring:
            del self.fields["role"]


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)


class JoinForm(forms.Form):
    role = forms.ChoiceField(choices=MENTORING_ROLES, widget=forms.RadioSelect, label="I join as")

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not programme.is_mentoring:
            del self.fields["role"]


class IntakeForm(forms.Form):
    wants = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="What I want to develop"
    )
    wants_other = forms.CharField(max_length=300, required=False, label="Anything else I want")
    offers = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="What I can offer"
    )
    offers_other = forms.CharField(max_length=300, required=False, label="Anything else I offer")
    goals = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="My goals for this programme",
    )
    availability = forms.CharField(
        max_length=300,
        required=False,
        label="When I can usually meet (weekly, in my time zone)",
        help_text="For example: Mon-Fri 09:00-17:00; Sat 10:00-12:30",
    )
    timezone = forms.ChoiceField(
        required=False, label="My time zone", choices=lambda: [("", "—"), *time_zone_choices()]
    )
    communication_preference = forms.ChoiceField(
        required=False,
        choices=CommunicationPreference.choices,
        widget=forms.RadioSelect,
        label="I prefer to meet by",
    )
    languages = forms.CharField(
        required=False, label="Languages I can mentor in", help_text="Separate with semicolons."
    )

    def __init__(self, *args: Any, topics: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("wants", "offers"):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = [(t, t) for t in topics]

    def intake_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["languages"] = split_languages(data["languages"])
        return data
