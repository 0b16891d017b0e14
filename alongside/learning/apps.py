from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "alongside.learning"
    label = "learning"
    verbose_name = "Learning from outcomes"

    def ready(self) -> None:
        from alongside.learning import panels  # noqa: F401
