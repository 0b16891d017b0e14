from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "alongside.organisations"
    label = "organisations"
    verbose_name = "Organisations"
