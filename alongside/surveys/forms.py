from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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


class QuestionLanguageForm(forms.Form):
    """A question's wording and options written in one language other than the original's;
    an empty field falls back (the options stay the values answers record)."""

    text = forms.CharField(max_length=500, required=False, label=gettext_lazy("Question"))
    choices = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Options"),
    )

    def __init__(
        self, *args: Any, question: Question, language: str, language_name: str, **kwargs: Any
    ) -> None:
        self.question, self.language, self.language_name = question, language, language_name
        written = question.translations.get(language, {})
        kwargs.setdefault(
            "initial",
            {"text": written.get("text", ""), "choices": "\n".join(written.get("choices") or [])},
        )
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = _("The original: %(text)s") % {"text": question.text}
        if question.kind == Question.Kind.CHOICE:
            self.fields["choices"].help_text = _(
                "One per line, in the order of the originals: %(originals)s."
            ) % {"originals": " / ".join(question.choices)}
        else:
            del self.fields["choices"]

    def clean_choices(self) -> list[str]:
        written = [
            line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()
        ]
        count, originals = len(written), len(self.question.choices)
        if written and count != originals:
            raise forms.ValidationError(
                ngettext(
                    "You wrote %(count)s option in %(language)s but there are %(originals)s "
                    "originals; write one for each, in the same order.",
                    "You wrote %(count)s options in %(language)s but there are %(originals)s "
                    "originals; write one for each, in the same order.",
                    count,
                )
                % {"count": count, "language": self.language_name, "originals": originals}
            )
        return written

    def translations(self) -> dict[str, Any]:
        """question_update's ``translations`` for this language (empty: not written)."""
        written = {"text": self.cleaned_data["text"], "choices": self.cleaned_data.get("choices")}
        kept = {field: value for field, value in written.items() if value}
        return {self.language: kept or None}


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
