from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "alongside.chat"
    label = "chat"
    verbose_name = "Slack and Microsoft Teams"

    def ready(self) -> None:
        from alongside.chat import listeners, panels  # noqa: F401  (events, settings panel)
        from alongside.chat.slack import SlackChannel
        from alongside.chat.teams import TeamsChannel
        from alongside.nudges.channels import register_channel

        register_channel(SlackChannel())
        register_channel(TeamsChannel())
