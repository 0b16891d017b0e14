from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.core.validators import is_time_zone
from alongside.surveys.models import Question

SCALE = [
    ("1", gettext_lazy("1 – Not at all")),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", gettext_lazy("5 – Very")),
]
ADDABLE_KINDS = [
    (Question.Kind.RATING.value, gettext_lazy("Rating from 1 to 5")),
    (Question.Kind.TEXT.value, gettext_lazy("Free text")),
    (Question.Kind.CHOICE.value, gettext_lazy("One choice from a list")),
]


def lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(choices=ADDABLE_KINDS, label=gettext_lazy("Kind of answer"))
    text = forms.CharField(max_length=500, label=gettext_lazy("Question"))
    choices = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Options"),
        help_text=gettext_lazy("For a choice question: one option per line (2 to 8)."),
    )
    required = forms.BooleanField(required=False, label=gettext_lazy("An answer is required"))

    def __init__(self, *args: Any, fixed_kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_kind is not None:
            del self.fields["kind"]
            if fixed_kind != Question.Kind.CHOICE:
                del self.fields["choices"]
            if fixed_kind == Question.Kind.CAPABILITY:
                del self.fields["required"]


class SurveyScheduleForm(forms.Form):
    opens_on = forms.DateField(
        required=False,
        label=gettext_lazy("Opens on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "At 09:00 in the organisation's time zone; leave empty to open by hand."
        ),
    )
    closes_on = forms.DateField(
        required=False,
        label=gettext_lazy("Closes on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class CheckinSettingsForm(forms.Form):
    meeting_pulse = forms.BooleanField(
        required=False,
        label=gettext_lazy("Ask one question (how did it go, 1–5) after each meeting"),
    )


class PulseForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=SCALE, coerce=int, widget=forms.RadioSelect, label=gettext_lazy("How is it going?")
    )
    blocking = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Anything in the way?"),
    )


class ClosingSessionForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    time = forms.TimeField(
        label=gettext_lazy("Time"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    timezone = forms.CharField(max_length=64, label=gettext_lazy("Time zone"))
    details = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Where and how"),
        help_text=gettext_lazy("A room, a video link, or what to bring."),
    )

    def clean_timezone(self) -> str:
        value: str = self.cleaned_data["timezone"].strip()
        if not is_time_zone(value):
            raise forms.ValidationError(
                _("'%(value)s' is not a time zone, e.g. Asia/Kolkata.") % {"value": value}
            )
        return value
