from django.apps import AppConfig


class SelfmatchConfig(AppConfig):
    name = "alongside.selfmatch"
    label = "selfmatch"
    verbose_name = "Participant choice"

    def ready(self) -> None:
        from alongside.selfmatch import jobs, panels, personal_data  # noqa: F401
