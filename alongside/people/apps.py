from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "alongside.people"
    label = "people"
    verbose_name = "People directory"

    def ready(self) -> None:
        from alongside.people import listeners, personal_data  # noqa: F401  (subscribes to domain events)
