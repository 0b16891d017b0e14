"""Forms for the member pages and the managers' guide editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.meetings.guides import GUIDED_MEETINGS
from alongside.meetings.models import Agreement, ClosingChoice, Commitment, Note
from alongside.meetings.selectors import GuideView
from alongside.relationships.models import RelationshipMember

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECK_IN_CHOICES = [
    (Commitment.Status.DONE.value, gettext_lazy("Done")),
    (Commitment.Status.PARTLY.value, gettext_lazy("Partly")),
    (Commitment.Status.NOT_YET.value, gettext_lazy("Not yet")),
    (Commitment.Status.DROPPED.value, gettext_lazy("Dropped")),
]


class NoteForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can read it"),
        choices=Note.Visibility.choices,
        initial=Note.Visibility.SHARED,
        widget=forms.RadioSelect,
    )


class CommitmentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Before we next meet, I will…"),
        max_length=500,
        help_text=gettext_lazy("One specific action, small enough to finish."),
    )
    due_date = forms.DateField(label=gettext_lazy("By (optional)"), required=False, widget=DATE)


class CheckInForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("How did it go?"), choices=CHECK_IN_CHOICES)
    note = forms.CharField(label=gettext_lazy("What happened"), max_length=500, required=False)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, RelationshipMember)
        return obj.person.name


class AgreementForm(forms.Form):
    rhythm_confirmed = forms.BooleanField(
        required=False, label=gettext_lazy("We confirm the rhythm we meet at")
    )
    rhythm_note = forms.CharField(
        required=False,
        max_length=300,
        label=gettext_lazy("How we work together"),
        help_text=gettext_lazy(
            "E.g. who moves a meeting if needed, and how we hold each other to our actions."
        ),
    )
    shared_goals = forms.CharField(
        required=False,
        label=gettext_lazy("Circle goals"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the circle works on together, one per line."),
    )
    facilitation = forms.ChoiceField(
        choices=Agreement.Facilitation.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("Facilitation"),
        help_text=gettext_lazy(
            "Rotating: whoever has facilitated least, skipping those who will miss it."
        ),
    )
    fixed_facilitator = MemberChoiceField(
        queryset=RelationshipMember.objects.none(),
        required=False,
        label=gettext_lazy("Fixed facilitator"),
    )

    def __init__(self, *args: Any, members: list[RelationshipMember], circle: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if circle:
            field = self.fields["fixed_facilitator"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = RelationshipMember.objects.filter(
                pk__in=[m.pk for m in members if m.is_active]
            ).select_related("person")
        else:
            for name in ("shared_goals", "facilitation", "fixed_facilitator"):
                del self.fields[name]


class GoalsForm(forms.Form):
    goal_1 = forms.CharField(label=gettext_lazy("Goal 1"), max_length=300)
    goal_2 = forms.CharField(
        label=gettext_lazy("Goal 2 (optional)"), max_length=300, required=False
    )
    goal_3 = forms.CharField(
        label=gettext_lazy("Goal 3 (optional)"), max_length=300, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # The datalist offers the member's intake answers; they may type anything.
            field.widget.attrs["list"] = "goal-suggestions"

    def goals(self) -> list[str]:
        return [self.cleaned_data[f"goal_{i}"] for i in (1, 2, 3)]


class ClosingForm(forms.Form):
    choice = forms.ChoiceField(
        choices=ClosingChoice.Choice.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("I would like to"),
    )
    reflection = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("A short reflection"),
        help_text=gettext_lazy("What did you get from it? What would you do differently?"),
    )


class GuidesForm(forms.Form):
    """Titles and prompts for meetings 1…4 (meeting 4's guide serves later meetings), in one
    language: the organisation's (the text as first written) or a translation, where an
    empty field falls back."""

    def __init__(
        self,
        *args: Any,
        guides: list[GuideView],
        language: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for guide in guides:
            n = guide.number
            original = language is None or language == guide.source_language
            written = guide.written_in(language) if language else {}
            label = (
                _("Meeting %(n)s") % {"n": n}
                if n < GUIDED_MEETINGS
                else _("Meeting %(n)s and later") % {"n": n}
            )
            self.fields[f"title_{n}"] = forms.CharField(
                label=_("%(label)s: title") % {"label": label},
                max_length=200,
                initial=written.get("title", "") if language else guide.title,
                required=original,
            )
            if not original:
                # What readers in this language see until it is written here.
                self.fields[f"title_{n}"].widget.attrs["placeholder"] = guide.original_title
            self.fields[f"body_{n}"] = forms.CharField(
                label=_("%(label)s: prompts") % {"label": label},
                widget=forms.Textarea(attrs={"rows": 7}),
                help_text=_("One prompt per line.")
                if original
                else _("One prompt per line. Leave it empty to show the original."),
                initial=written.get("body", "") if language else guide.body,
                required=original,
            )
            if not original:
                self.fields[f"body_{n}"].widget.attrs["placeholder"] = guide.original_body

    def sections(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(n, self[f"title_{n}"], self[f"body_{n}"]) for n in range(1, GUIDED_MEETINGS + 1)]

    def guides(self) -> dict[int, tuple[str, str]]:
        return {
            n: (self.cleaned_data[f"title_{n}"], self.cleaned_data[f"body_{n}"])
            for n in range(1, GUIDED_MEETINGS + 1)
        }
