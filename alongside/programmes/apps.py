from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "alongside.programmes"
    label = "programmes"
    verbose_name = "Programmes and enrolment"
