from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "alongside.scim"
    label = "scim"
    verbose_name = "Provisioning (SCIM 2.0)"

    def ready(self) -> None:
        from alongside.scim import panels, personal_data  # noqa: F401  (fills the settings page's panel)
