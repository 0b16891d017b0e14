from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    name = "alongside.relationships"
    label = "relationships"
    verbose_name = "Relationships"

    def ready(self) -> None:
        from alongside.relationships import listeners, personal_data  # noqa: F401  (subscribes to domain events)
