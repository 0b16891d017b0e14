"""Organisation admins register webhook addresses, test them and read the delivery log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError
from alongside.core.messages import problems_for_form, show_error
from alongside.core.pagination import paginate
from alongside.organisations.tenancy import ADMINS, OrgRequest, org_view
from alongside.webhooks import signing
from alongside.webhooks.catalogue import EVENT_TYPES
from alongside.webhooks.forms import EndpointForm
from alongside.webhooks.models import WebhookDelivery, WebhookEndpoint
from alongside.webhooks.selectors import (
    webhook_deliveries_for,
    webhook_delivery_get,
    webhook_endpoint_get,
    webhook_endpoints_for,
)
from alongside.webhooks.services import (
    webhook_delivery_retry,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_send_test,
    webhook_endpoint_update,
)

NEW_SECRET = "webhook_secret_once"


def _keep_secret_once(request: OrgRequest, endpoint: WebhookEndpoint, secret: str) -> None:
    """The secret is shown on the next page only, then never again."""
    request.session[NEW_SECRET] = {"endpoint": endpoint.pk, "secret": secret}


def _secret_to_show(request: OrgRequest, endpoint: WebhookEndpoint) -> str:
    kept = request.session.get(NEW_SECRET)
    if isinstance(kept, dict) and kept.get("endpoint") == endpoint.pk:
        del request.session[NEW_SECRET]
        return str(kept.get("secret", ""))
    return ""


def _add_problems(form: EndpointForm, error: AlongsideError) -> None:
    problems = problems_for_form(error)
    for field, errors in problems.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)
    if not problems:
        form.add_error(None, error.message)


def _to_endpoint(request: OrgRequest, endpoint_id: int) -> HttpResponse:
    return redirect("webhooks:detail", org_slug=request.organisation.slug, endpoint_id=endpoint_id)


@org_view(*ADMINS)
def endpoint_list(request: OrgRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = webhook_endpoint_create(
                organisation=request.organisation,
                actor=request.user,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"],
            )
        except AlongsideError as error:
            _add_problems(form, error)
        else:
            _keep_secret_once(request, endpoint, secret)
            messages.success(request, _("Webhook address added."))
            return _to_endpoint(request, endpoint.pk)
    return render(
        request,
        "webhooks/list.html",
        {
            "endpoints": list(webhook_endpoints_for(organisation=request.organisation)),
            "form": form,
            "event_types": EVENT_TYPES,
            "signing": signing,
        },
    )


@org_view(*ADMINS)
def endpoint_detail(request: OrgRequest, endpoint_id: int) -> HttpResponse:
    endpoint = webhook_endpoint_get(organisation=request.organisation, endpoint_id=endpoint_id)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "is_active": endpoint.is_active,
    }
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            webhook_endpoint_update(endpoint=endpoint, actor=request.user, **form.cleaned_data)
        except AlongsideError as error:
            _add_problems(form, error)
        else:
            messages.success(request, _("Webhook address saved."))
            return _to_endpoint(request, endpoint.pk)
    status = request.GET.get("status", "")
    page = paginate(request, webhook_deliveries_for(endpoint=endpoint, status=status), 25)
    context: dict[str, Any] = {
        "endpoint": endpoint,
        "form": form,
        "page": page,
        "status": status,
        "statuses": WebhookDelivery.Status.choices,
        "new_secret": _secret_to_show(request, endpoint),
        "signing": signing,
    }
    if request.htmx and request.htmx.target == "deliveries":
        return render(request, "webhooks/_delivery_rows.html", context)
    return render(request, "webhooks/detail.html", context)


@org_view(*ADMINS)
@require_POST
def endpoint_rotate(request: OrgRequest, endpoint_id: int) -> HttpResponse:
    endpoint = webhook_endpoint_get(organisation=request.organisation, endpoint_id=endpoint_id)
    secret = webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    _keep_secret_once(request, endpoint, secret)
    messages.success(request, _("A new signing secret is in use from now on."))
    return _to_endpoint(request, endpoint.pk)


@org_view(*ADMINS)
@require_POST
def endpoint_test(request: OrgRequest, endpoint_id: int) -> HttpResponse:
    endpoint = webhook_endpoint_get(organisation=request.organisation, endpoint_id=endpoint_id)
    delivery = webhook_endpoint_send_test(endpoint=endpoint, actor=request.user)
    delivery.refresh_from_db()
    if delivery.status == WebhookDelivery.Status.SUCCEEDED:
        messages.success(request, _("The test event was delivered."))
    elif delivery.status in (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SENDING):
        messages.info(request, _("The test event is on its way; its result shows below."))
    else:
        show_error(
            request,
            _("The test event was not accepted: %(error)s")
            % {"error": delivery.last_error or delivery.get_status_display()},
        )
    return _to_endpoint(request, endpoint.pk)


@org_view(*ADMINS)
@require_POST
def endpoint_delete(request: OrgRequest, endpoint_id: int) -> HttpResponse:
    endpoint = webhook_endpoint_get(organisation=request.organisation, endpoint_id=endpoint_id)
    if request.POST.get("confirm") != "yes":
        show_error(request, _("Tick the box to confirm that the address should be removed."))
        return _to_endpoint(request, endpoint.pk)
    webhook_endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, _("Webhook address removed, with its delivery log."))
    return redirect("webhooks:list", org_slug=request.organisation.slug)


@org_view(*ADMINS)
def delivery_detail(request: OrgRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    endpoint = webhook_endpoint_get(organisation=request.organisation, endpoint_id=endpoint_id)
    delivery = webhook_delivery_get(endpoint=endpoint, delivery_id=delivery_id)
    return render(
        request,
        "webhooks/delivery.html",
        {"endpoint": endpoint, "delivery": delivery, "signing": signing},
    )


@org_view(*ADMINS)
@require_POST
def delivery_retry(request: OrgRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    endpoint = webhook_endpoint_get(organisation=request.organisation, endpoint_id=endpoint_id)
    delivery = webhook_delivery_get(endpoint=endpoint, delivery_id=delivery_id)
    try:
        webhook_delivery_retry(delivery=delivery, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, _("The delivery is being sent again."))
    return _to_endpoint(request, endpoint.pk)


urlpatterns: list[URLPattern] = [
    path("", endpoint_list, name="list"),
    path("<int:endpoint_id>/", endpoint_detail, name="detail"),
    path("<int:endpoint_id>/rotate-secret/", endpoint_rotate, name="rotate"),
    path("<int:endpoint_id>/test/", endpoint_test, name="test"),
    path("<int:endpoint_id>/delete/", endpoint_delete, name="delete"),
    path("<int:endpoint_id>/deliveries/<int:delivery_id>/", delivery_detail, name="delivery"),
    path(
        "<int:endpoint_id>/deliveries/<int:delivery_id>/retry/",
        delivery_retry,
        name="delivery_retry",
    ),
]
