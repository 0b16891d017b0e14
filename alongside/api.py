"""The JSON API, /api/v1/. Each app contributes a router; errors share one shape."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, Throttled, ValidationError
from ninja.operation import Operation

from alongside.accounts.api import router as accounts_router
from alongside.accounts.api_auth import ActiveSessionAuth, ApiTokenAuth, TokenRateThrottle
from alongside.chat.api import router as chat_router
from alongside.core.errors import AlongsideError
from alongside.dashboards.api import router as dashboards_router
from alongside.exports.api import router as exports_router
from alongside.flash.api import router as flash_router
from alongside.home.api import router as home_router
from alongside.hrsync.api import router as hrsync_router
from alongside.learning.api import router as learning_router
from alongside.matches.api import router as matching_router
from alongside.meetings.api import router as meetings_router
from alongside.nudges.api import router as nudges_router
from alongside.organisations.access_api import router as access_router
from alongside.organisations.api import router as organisations_router
from alongside.people.api import router as people_router
from alongside.privacy.api import router as privacy_router
from alongside.programmes.api import router as programmes_router
from alongside.relationships.api import router as relationships_router
from alongside.scheduling.api import router as schedule_router
from alongside.scheduling.video_api import router as video_router
from alongside.scim.api import router as scim_router
from alongside.selfmatch.api import router as selfmatch_router
from alongside.sso.api import router as sso_router
from alongside.surveys.api import router as surveys_router
from alongside.webhooks.api import router as webhooks_router

# Operation ids are part of the published contract (generated clients name methods after
# them), so they keep the module an operation was first published from even when the code
# moves to another app.
FIRST_PUBLISHED_IN = {"alongside.scheduling.api": "alongside.meetings.schedule_api"}


class AlongsideAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        module = operation.view_func.__module__
        module = FIRST_PUBLISHED_IN.get(module, module)
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")


api = AlongsideAPI(
    title="Alongside API",
    version="1",
    description=(
        "Peer mentoring programmes. Authenticate with a personal API token "
        "(`Authorization: Bearer alg_…`, created under Account › API tokens) or a "
        "signed-in session. Every organisation-scoped path answers 404 to non-members. "
        "Every list is paged the same way: `?page=N&page_size=M` (50 by default, at most "
        "500) answers `{items, count, next, previous}`; follow `next` until it is null. "
        "Each token may make `API_RATE` requests (600 a minute unless configured); more "
        "answer 429 with `Retry-After`."
    ),
    auth=[ApiTokenAuth(), ActiveSessionAuth()],
    throttle=[TokenRateThrottle()],
    urls_namespace="api",
)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, error: Throttled) -> HttpResponse:
    response = api.create_response(
        request,
        {
            "detail": "Too many requests with this token; slow down and try again shortly.",
            "code": "throttled",
            "problems": [],
        },
        status=429,
    )
    if error.wait:
        response["Retry-After"] = str(int(error.wait) + 1)
    return response


@api.exception_handler(AlongsideError)
def alongside_error(request: HttpRequest, error: AlongsideError) -> HttpResponse:
    return api.create_response(request, error.as_dict(), status=error.status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Not found.", "code": "not_found", "problems": []}, status=404
    )


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": str(error) or "Forbidden.", "code": "forbidden", "problems": []},
        status=403,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": "Authentication required: send a personal API token as a Bearer token.",
            "code": "unauthenticated",
            "problems": [],
        },
        status=401,
    )


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, error: ValidationError) -> HttpResponse:
    problems = []
    for item in error.errors:
        location = [
            str(part)
            for part in item.get("loc", ())
            if part not in ("body", "query", "path", "payload")
        ]
        problems.append(
            {
                "row": None,
                "field": ".".join(location) or None,
                "message": item.get("msg", "is invalid."),
            }
        )
    return api.create_response(
        request,
        {"detail": "The request is not valid.", "code": "invalid", "problems": problems},
        status=422,
    )


api.add_router("", accounts_router)
api.add_router("/organisations", organisations_router)
api.add_router("/organisations", access_router)
api.add_router("/organisations", people_router)
api.add_router("/organisations", scim_router)
api.add_router("/organisations", hrsync_router)
api.add_router("/organisations", privacy_router)
api.add_router("/organisations", programmes_router)
api.add_router("/organisations", matching_router)
api.add_router("/organisations", selfmatch_router)
api.add_router("/organisations", flash_router)
api.add_router("/organisations", learning_router)
api.add_router("/organisations", relationships_router)
api.add_router("/organisations", meetings_router)
api.add_router("/organisations", schedule_router)
api.add_router("/organisations", video_router)
api.add_router("", nudges_router)
api.add_router("/organisations", dashboards_router)
api.add_router("/organisations", surveys_router)
api.add_router("/organisations", webhooks_router)
api.add_router("/organisations", chat_router)
api.add_router("/organisations", home_router)
api.add_router("/organisations", sso_router)
api.add_router("/organisations", exports_router)
