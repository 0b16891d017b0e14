from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "alongside.surveys"
    label = "surveys"
    verbose_name = "Surveys and check-ins"

    def ready(self) -> None:
        from alongside.surveys import (
            exporting,  # noqa: F401  (the answers export, by the worker)
            panels,  # noqa: F401  (the pulse on the meeting page)
            personal_data,  # noqa: F401
        )
