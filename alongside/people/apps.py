from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "alongside.people"
    label = "people"
    verbose_name = "People directory"

    def ready(self) -> None:
        from alongside.accounts.sign_in_policy import admits_by_email
        from alongside.people import listeners, personal_data  # noqa: F401  (subscribes to domain events)
        from alongside.people.admission import admit, may_admit

        admits_by_email(may_admit=may_admit, admit=admit)
