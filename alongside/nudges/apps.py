from django.apps import AppConfig


class NudgesConfig(AppConfig):
    name = "alongside.nudges"
    label = "nudges"
    verbose_name = "Nudges and email preferences"

    def ready(self) -> None:
        # The survey nudges are registered by importing their finders; apps above this
        # one may add their own in a ``nudges.py`` module, discovered here.
        from alongside.nudges import listeners, personal_data, survey_finders  # noqa: F401
        from alongside.nudges.catalogue import discover_sources
        from alongside.nudges.channels import register_channel
        from alongside.nudges.email_channel import EmailChannel

        register_channel(EmailChannel())
        discover_sources()
