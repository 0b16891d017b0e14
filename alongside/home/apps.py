from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class HomeConfig(AppConfig):
    name = "alongside.home"
    label = "home"
    verbose_name = gettext_lazy("Home pages")

    def ready(self) -> None:
        from alongside.home import panels  # noqa: F401  (the programme page's steps)
