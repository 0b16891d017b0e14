from django.apps import AppConfig


class MatchesConfig(AppConfig):
    name = "alongside.matches"
    label = "matches"
    verbose_name = "Match runs"

    def ready(self) -> None:
        from alongside.matches import personal_data  # noqa: F401  (what a person's data holds)
