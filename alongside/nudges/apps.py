from django.apps import AppConfig


class NudgesConfig(AppConfig):
    name = "alongside.nudges"
    label = "nudges"
    verbose_name = "Nudges and email preferences"

    def ready(self) -> None:
        # Every app's ``nudges.py`` registers its nudge sources in the catalogue.
        from alongside.nudges.catalogue import discover_sources

        discover_sources()
