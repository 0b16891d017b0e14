from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "alongside.health"
    label = "health"
    verbose_name = "Relationship health"

    def ready(self) -> None:
        from alongside.health import (
            jobs,  # noqa: F401  (registers the daily refresh)
            listeners,  # noqa: F401  (subscribes to domain events)
        )
