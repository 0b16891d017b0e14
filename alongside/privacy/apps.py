from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "alongside.privacy"
    label = "privacy"
    verbose_name = "Personal data rights"

    def ready(self) -> None:
        from alongside.privacy import panels, personal_data  # noqa: F401  (panels, handlers)
