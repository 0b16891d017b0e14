from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alongside.organisations.forms import time_zone_choices
from alongside.people.directory_filters import DirectoryFilter
from alongside.people.models import Person
from alongside.people.visibility import FIELD_LABELS, OPTIONAL_PUBLIC_FIELDS, Audience


class PeopleFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.SearchInput(attrs={"placeholder": _("Name, email, title…")}),
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    location = forms.ChoiceField(label=_("Location"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active")), ("inactive", _("Inactive")), ("all", _("Everyone"))],
    )

    def __init__(
        self,
        *args: object,
        options: dict[str, list[str]],
        audience: Audience = Audience.ADMIN,
        extra: list[tuple[DirectoryFilter, list[tuple[str, str]]]] = (),  # type: ignore[assignment]
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Colleagues search only what people share, and never see leavers.
        if audience == Audience.MEMBER:
            del self.fields["level"]
            search = self.fields["q"]
            search.widget.attrs["placeholder"] = _("Name, title, department…")
        if audience != Audience.ADMIN:
            del self.fields["status"]
        # Filters other apps add, for the viewers they offer choices to.
        self.extra_names = [directory_filter.name for directory_filter, _choices in extra]
        for directory_filter, choices in extra:
            self.fields[directory_filter.name] = forms.ChoiceField(
                required=False,
                label=directory_filter.label,
                choices=[("", directory_filter.everyone), *choices],
            )
        for name, key, label in (
            ("department", "departments", gettext("All departments")),
            ("location", "locations", gettext("All locations")),
            ("level", "levels", gettext("All levels")),
        ):
            if name not in self.fields:
                continue
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", label), *((v, v) for v in options[key])]

    def extra_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.extra_names]


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"))
    employee_id = forms.CharField(label=_("Employee id"), max_length=64, required=False)
    manager_email = forms.EmailField(required=False, label=_("Manager's email"))
    department = forms.CharField(max_length=120, required=False, label=_("Department / function"))
    job_title = forms.CharField(label=_("Job title"), max_length=160, required=False)
    level = forms.CharField(label=_("Level"), max_length=60, required=False)
    location = forms.CharField(label=_("Location"), max_length=120, required=False)
    timezone = forms.ChoiceField(
        required=False,
        label=_("Time zone"),
        choices=lambda: [("", "—"), *time_zone_choices()],
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        help_text=_("Separate with semicolons: Hindi; English"),
    )
    start_date = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8 CSV (Excel: 'CSV UTF-8')."))


class ImportConfirmForm(forms.Form):
    deactivate_missing = forms.BooleanField(
        required=False,
        label=_("Deactivate people who are not in this file"),
        help_text=_("Use this when the file is a complete export of everyone."),
    )


class ProfileForm(forms.Form):
    offers = forms.CharField(
        label=_("What I can offer colleagues"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A sentence or two: skills, experience, topics you are happy to talk about."),
    )
    shared_fields = forms.MultipleChoiceField(
        label=_("Colleagues may see"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(name, FIELD_LABELS[name]) for name in OPTIONAL_PUBLIC_FIELDS],
        help_text=_(
            "Your name is always shown. Programme managers and admins see what running "
            "programmes needs whatever you choose here."
        ),
    )

    def __init__(self, *args: object, person: Person, **kwargs: object) -> None:
        kwargs.setdefault(
            "initial",
            {
                "offers": person.offers,
                "shared_fields": [
                    name for name in OPTIONAL_PUBLIC_FIELDS if getattr(person, f"share_{name}")
                ],
            },
        )
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
