from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "alongside.surveys"
    label = "surveys"
    verbose_name = "Surveys and check-ins"
