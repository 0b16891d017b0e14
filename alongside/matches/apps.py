from django.apps import AppConfig


class MatchesConfig(AppConfig):
    name = "alongside.matches"
    label = "matches"
    verbose_name = "Match runs"
