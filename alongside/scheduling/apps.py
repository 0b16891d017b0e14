from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "alongside.scheduling"
    label = "scheduling"
    verbose_name = "Meeting times and calendars"

    def ready(self) -> None:
        from alongside.scheduling import listeners, panels, personal_data  # noqa: F401  (events, page panels)
