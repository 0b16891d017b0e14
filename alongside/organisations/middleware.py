"""The request's language (alongside.core.languages), activated for every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from alongside.core.languages import chosen_language, request_language
from alongside.organisations.models import Membership


class LanguageMiddleware:
    """Django's LocaleMiddleware knows only the cookie and the browser; here the person's
    own choice and their organisation's default come first.

    Organisation pages and API calls refine the language once the organisation of the
    URL is known (``org_view``, ``membership_for``); other pages of a signed-in person
    who has not chosen take the default of their first organisation.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self._activate(request, request_language(request))
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", translation.get_language())
        translation.deactivate()
        return response

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> None:
        user = getattr(request, "user", None)
        if "org_slug" in kwargs or user is None or not user.is_authenticated:
            return
        if chosen_language(request):
            return
        default = (
            Membership.objects.filter(user=user)
            .order_by("pk")
            .values_list("organisation__language", flat=True)
            .first()
        )
        if default:
            self._activate(request, request_language(request, default))

    @staticmethod
    def _activate(request: HttpRequest, language: str) -> None:
        translation.activate(language)
        request.LANGUAGE_CODE = language
