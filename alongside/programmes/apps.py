from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "alongside.programmes"
    label = "programmes"
    verbose_name = "Programmes and enrolment"

    def ready(self) -> None:
        from alongside.people.directory_filters import register_directory_filter
        from alongside.programmes import listeners, personal_data  # noqa: F401  (subscribes to domain events)
        from alongside.programmes.directory import PROGRAMME_FILTER

        register_directory_filter(PROGRAMME_FILTER)
