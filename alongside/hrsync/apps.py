from django.apps import AppConfig


class HrSyncConfig(AppConfig):
    name = "alongside.hrsync"
    label = "hrsync"
    verbose_name = "Scheduled HR sync"

    def ready(self) -> None:
        from alongside.hrsync import panels, personal_data  # noqa: F401  (settings panel, erasure)
