from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "alongside.dashboards"
    label = "dashboards"
    verbose_name = "Programme dashboards"
