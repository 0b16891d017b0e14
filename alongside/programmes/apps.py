from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "alongside.programmes"
    label = "programmes"
    verbose_name = "Programmes and enrolment"

    def ready(self) -> None:
        from alongside.programmes import listeners, personal_data  # noqa: F401  (subscribes to domain events)
