from django.apps import AppConfig


class FlashConfig(AppConfig):
    name = "alongside.flash"
    label = "flash"
    verbose_name = "Flash rounds"

    def ready(self) -> None:
        from alongside.flash import jobs, panels, personal_data  # noqa: F401
