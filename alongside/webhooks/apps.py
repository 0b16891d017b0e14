from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "alongside.webhooks"
    label = "webhooks"
    verbose_name = "Outgoing webhooks"

    def ready(self) -> None:
        from alongside.webhooks import listeners  # noqa: F401  (subscribes to domain events)
