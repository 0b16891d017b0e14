from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "alongside.home"
    label = "home"
    verbose_name = "Home pages"

    def ready(self) -> None:
        from alongside.home import panels  # noqa: F401  (the programme page's steps)
