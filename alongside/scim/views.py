"""The SCIM 2.0 endpoint of each organisation: ``/scim/v2/<org_slug>/…``.

Authenticated by one of the organisation's SCIM tokens (``Authorization: Bearer scim_…``);
a token of another organisation gets the same 404 as an unknown organisation. Every
error is a SCIM Error (RFC 7644 §3.12) with its ``scimType``, and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import (
    Context,
    EnterpriseUser,
    Error,
    Group,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    NotFoundException,
    PatchOp,
    PreconditionFailedException,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    ServiceProviderConfig,
    UnauthorizedException,
    User,
)

from alongside.scim import protocol
from alongside.scim.models import ScimGroup, ScimToken, ScimUser
from alongside.scim.protocol import UserResource
from alongside.scim.services import (
    scim_group_create,
    scim_group_delete,
    scim_group_get,
    scim_group_replace,
    scim_people,
    scim_person_get,
    scim_user_create,
    scim_user_delete,
    scim_user_replace,
)
from alongside.scim.tokens import scim_token_authenticate

CONTENT_TYPE = "application/scim+json"
MAX_COUNT = 200
DEFAULT_COUNT = 100


class ScimRequest(HttpRequest):
    token: ScimToken
    base_url: str


def respond(payload: Any, status: int = 200, etag: str | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(payload), content_type=CONTENT_TYPE, status=status)
    if etag:
        response["ETag"] = etag
    return response


def error_response(error: SCIMException | Error) -> HttpResponse:
    scim_error = error.to_error() if isinstance(error, SCIMException) else error
    response = respond(
        scim_error.model_dump(scim_ctx=Context.DEFAULT), status=scim_error.status or 400
    )
    if scim_error.status == 401:
        response["WWW-Authenticate"] = gettext('Bearer realm="Alongside SCIM"')
    return response


def validation_error(error: ValidationError) -> HttpResponse:
    errors = Error.from_validation_errors(error)
    first = errors[0]
    detail = "; ".join(e.detail or "" for e in errors)
    return error_response(
        Error(status=first.status or 400, scim_type=first.scim_type, detail=detail)
    )


def scim_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        token = scim_token_authenticate(secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            return error_response(
                UnauthorizedException(
                    detail=gettext("Send one of the organisation's SCIM tokens as a Bearer token.")
                )
            )
        if token.organisation.slug != org_slug:
            return error_response(NotFoundException(detail=gettext("No such SCIM endpoint.")))
        scim_request = cast(ScimRequest, request)
        scim_request.token = token
        scim_request.base_url = request.build_absolute_uri(f"/scim/v2/{org_slug}")
        try:
            return view(scim_request, *args, **kwargs)
        except SCIMException as error:
            return error_response(error)
        except ValidationError as error:
            return validation_error(error)

    return wrapper


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidSyntaxException(
            detail=gettext("The body is not valid JSON: %(error)s.") % {"error": error}
        ) from error
    if not isinstance(body, dict):
        raise InvalidSyntaxException(detail=gettext("The body must be a JSON object."))
    return body


def _parameters(request: HttpRequest) -> ResponseParameters[Any] | None:
    attributes = request.GET.get("attributes")
    excluded = request.GET.get("excludedAttributes")
    if not attributes and not excluded:
        return None
    return ResponseParameters.model_validate(
        {"attributes": attributes, "excludedAttributes": excluded}
    )


def _window(request: HttpRequest) -> tuple[int, int]:
    try:
        start = int(request.GET.get("startIndex", "1"))
        count = int(request.GET.get("count", str(DEFAULT_COUNT)))
    except ValueError as error:
        raise InvalidValueException(detail="startIndex and count must be integers.") from error
    # RFC 7644 §3.4.2.4: below 1 is 1, a negative count is 0.
    return max(start, 1), min(max(count, 0), MAX_COUNT)


def _check_if_match(request: HttpRequest, current: str) -> None:
    wanted = request.headers.get("If-Match")
    if wanted and wanted.strip() != "*" and current not in [v.strip() for v in wanted.split(",")]:
        raise PreconditionFailedException(
            detail=gettext(
                "The resource has changed since you read it (If-Match does not match its ETag)."
            )
        )


def _list(
    request: ScimRequest, queryset: Any, to_resource: Callable[[Any], Any], groups: bool
) -> HttpResponse:
    expression = request.GET.get("filter")
    if expression:
        queryset = queryset.filter(protocol.filter_q(expression, groups=groups)).distinct()
    if request.GET.get("sortBy"):
        raise InvalidValueException(
            detail=gettext("Sorting is not supported (see ServiceProviderConfig).")
        )
    start, count = _window(request)
    parameters = _parameters(request)
    total = queryset.count()
    page = list(queryset.order_by("pk")[start - 1 : start - 1 + count]) if count else []
    resources = [protocol.dump(to_resource(item), parameters) for item in page]
    return respond(
        {
            "schemas": [str(ListResponse.__schema__)],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
    )


# --- Users -----------------------------------------------------------------------------


def _user(request: ScimRequest, person: Any, status: int = 200) -> HttpResponse:
    resource = protocol.person_to_resource(person, _link_of(person), request.base_url)
    response = respond(
        protocol.dump(resource, _parameters(request)), status, protocol.version_of(resource)
    )
    if status == 201:
        response["Location"] = protocol.location_of(resource)
    return response


def _link_of(person: Any) -> ScimUser | None:
    try:
        return person.scim_user
    except ScimUser.DoesNotExist:  # a person never provisioned has no link
        return None


@scim_view
def users(request: ScimRequest) -> HttpResponse:
    if request.method == "GET":
        return _list(
            request,
            scim_people(request.token.organisation),
            lambda p: protocol.person_to_resource(p, _link_of(p), request.base_url),
            groups=False,
        )
    if request.method == "POST":
        resource = UserResource.model_validate(
            _body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST
        )
        return _user(request, scim_user_create(token=request.token, resource=resource), 201)
    return HttpResponse(status=405, headers={"Allow": "GET, POST"})


ENTRA_MANAGER_PATH = f"{protocol.ENTERPRISE}:manager".lower()


def _normalise_patch(body: dict[str, Any]) -> dict[str, Any]:
    """Microsoft Entra ID sends the enterprise manager as a bare id: wrap it as RFC 7643 has it."""
    for operation in body.get("Operations") or []:
        if (
            isinstance(operation, dict)
            and str(operation.get("path", "")).lower() == ENTRA_MANAGER_PATH
            and isinstance(operation.get("value"), str)
        ):
            operation["value"] = {"value": operation["value"]}
    return body


@scim_view
def user(request: ScimRequest, resource_id: str) -> HttpResponse:
    organisation = request.token.organisation
    person = scim_person_get(organisation, resource_id)
    current = protocol.person_to_resource(person, _link_of(person), request.base_url)
    if request.method == "GET":
        if request.headers.get("If-None-Match") == protocol.version_of(current):
            return HttpResponse(status=304, headers={"ETag": protocol.version_of(current)})
        return _user(request, person)
    if request.method not in {"PUT", "PATCH", "DELETE"}:
        return HttpResponse(status=405, headers={"Allow": "GET, PUT, PATCH, DELETE"})
    _check_if_match(request, protocol.version_of(current))
    if request.method == "DELETE":
        scim_user_delete(token=request.token, person=person)
        return HttpResponse(status=204)
    if request.method == "PUT":
        resource = UserResource.model_validate(
            _body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
        )
    else:
        patch = PatchOp[UserResource].model_validate(
            _normalise_patch(_body(request)), scim_ctx=Context.RESOURCE_PATCH_REQUEST
        )
        resource = protocol.person_to_resource(
            person, _link_of(person), request.base_url, for_patch=True
        )
        patch.patch(resource)
    updated = scim_user_replace(token=request.token, person=person, resource=resource)
    return _user(request, updated)


# --- Groups ----------------------------------------------------------------------------


def _group(request: ScimRequest, group: ScimGroup, status: int = 200) -> HttpResponse:
    resource = protocol.group_to_resource(group, request.base_url)
    response = respond(
        protocol.dump(resource, _parameters(request)), status, protocol.version_of(resource)
    )
    if status == 201:
        response["Location"] = protocol.location_of(resource)
    return response


@scim_view
def groups(request: ScimRequest) -> HttpResponse:
    organisation = request.token.organisation
    if request.method == "GET":
        return _list(
            request,
            ScimGroup.objects.filter(organisation=organisation).prefetch_related("members"),
            lambda g: protocol.group_to_resource(g, request.base_url),
            groups=True,
        )
    if request.method == "POST":
        resource = Group.model_validate(_body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        return _group(request, scim_group_create(token=request.token, resource=resource), 201)
    return HttpResponse(status=405, headers={"Allow": "GET, POST"})


@scim_view
def group(request: ScimRequest, resource_id: str) -> HttpResponse:
    found = scim_group_get(request.token.organisation, resource_id)
    current = protocol.group_to_resource(found, request.base_url)
    if request.method == "GET":
        return _group(request, found)
    if request.method not in {"PUT", "PATCH", "DELETE"}:
        return HttpResponse(status=405, headers={"Allow": "GET, PUT, PATCH, DELETE"})
    _check_if_match(request, protocol.version_of(current))
    if request.method == "DELETE":
        scim_group_delete(token=request.token, group=found)
        return HttpResponse(status=204)
    if request.method == "PUT":
        resource = Group.model_validate(
            _body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
        )
    else:
        patch = PatchOp[Group].model_validate(
            _body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
        )
        patch.patch(current)
        resource = current
    return _group(request, scim_group_replace(token=request.token, group=found, resource=resource))


# --- Discovery (RFC 7644 §4) --------------------------------------------------------------


def _trimmed(schema: Schema, keep: set[str]) -> dict[str, Any]:
    payload = schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    payload["attributes"] = [a for a in payload["attributes"] if a["name"] in keep]
    return payload


def _schemas(request: ScimRequest) -> list[dict[str, Any]]:
    found = [
        _trimmed(User.to_schema(), protocol.USER_ATTRIBUTES),
        _trimmed(EnterpriseUser.to_schema(), protocol.ENTERPRISE_ATTRIBUTES),
        _trimmed(Group.to_schema(), protocol.GROUP_ATTRIBUTES),
    ]
    for payload in found:
        payload["meta"] = {
            "resourceType": gettext("Schema"),
            "location": f"{request.base_url}/Schemas/{payload['id']}",
        }
    return found


def _resource_types(request: ScimRequest) -> list[dict[str, Any]]:
    found = []
    for model in (UserResource, Group):
        payload = ResourceType.from_resource(model).model_dump(
            scim_ctx=Context.RESOURCE_QUERY_RESPONSE
        )
        payload["meta"] = {
            "resourceType": "ResourceType",
            "location": f"{request.base_url}/ResourceTypes/{payload['id']}",
        }
        found.append(payload)
    return found


def _listing(items: list[dict[str, Any]]) -> HttpResponse:
    return respond(
        {
            "schemas": [str(ListResponse.__schema__)],
            "totalResults": len(items),
            "startIndex": 1,
            "itemsPerPage": len(items),
            "Resources": items,
        }
    )


@scim_view
def schemas(request: ScimRequest, schema_id: str = "") -> HttpResponse:
    found = _schemas(request)
    if not schema_id:
        return _listing(found)
    for payload in found:
        if payload["id"] == schema_id:
            return respond(payload)
    raise NotFoundException(detail=gettext("No schema '%(schema_id)s'.") % {"schema_id": schema_id})


@scim_view
def resource_types(request: ScimRequest, type_id: str = "") -> HttpResponse:
    found = _resource_types(request)
    if not type_id:
        return _listing(found)
    for payload in found:
        if payload["id"] == type_id:
            return respond(payload)
    raise NotFoundException(
        detail=gettext("No resource type '%(type_id)s'.") % {"type_id": type_id}
    )


@scim_view
def service_provider_config(request: ScimRequest) -> HttpResponse:
    config = ServiceProviderConfig.model_validate(
        {
            "documentationUri": None,
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_COUNT},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": True},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": gettext("SCIM token"),
                    "description": (
                        gettext(
                            "A SCIM token an organisation admin creates under Settings › "
                            "Provisioning."
                        )
                    ),
                    "primary": True,
                }
            ],
        }
    )
    payload = config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    payload["meta"] = {
        "resourceType": "ServiceProviderConfig",
        "location": f"{request.base_url}/ServiceProviderConfig",
    }
    return respond(payload)
