from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "alongside.outbox"
    label = "outbox"
    verbose_name = "Email outbox"
    default_auto_field = "django.db.models.BigAutoField"
