"""Single sign-on pages: the sign-in flow (public, per organisation) and its settings
page for organisation admins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from alongside.accounts.backends import PASSWORD_BACKEND
from alongside.accounts.models import User
from alongside.accounts.sign_in_links import safe_next
from alongside.core.client_ip import client_ip
from alongside.core.errors import AlongsideError
from alongside.organisations.tenancy import ADMINS, OrgRequest, org_view
from alongside.sso import oidc, saml
from alongside.sso.forms import SsoSettingsForm
from alongside.sso.models import DEFAULT_MAPPING, SsoConnection
from alongside.sso.selectors import connection_for
from alongside.sso.services import (
    admins_to_ask,
    identity_check,
    sso_configure,
    sso_remove,
    sso_set_enabled,
    sso_set_required,
    sso_sign_in,
    sso_test_record,
)

FLOW_KEY = "sso_flow"
MODEL_BACKEND = PASSWORD_BACKEND


def _connection_or_404(org_slug: str, *, enabled_only: bool = True) -> SsoConnection:
    connection = connection_for(org_slug)
    if connection is None or (enabled_only and not connection.enabled):
        raise Http404(_("This organisation has no single sign-on."))
    return connection


def _begin(request: HttpRequest, connection: SsoConnection, flow: dict[str, Any]) -> HttpResponse:
    request.session[FLOW_KEY] = {"organisation": connection.organisation.slug, **flow}
    try:
        if connection.protocol == SsoConnection.Protocol.OIDC:
            url = oidc.start(request, connection)
        else:
            url = saml.start(request, connection)
    except AlongsideError as error:
        return _refused(request, connection, error)
    # A page that moves on by itself rather than a redirect: these flows often begin with
    # a form (sign-in, "try sign-in"), and the form-action policy (CSP) forbids a form's
    # redirect to another site, while a page's own navigation is not restricted.
    return render(request, "sso/redirect.html", {"connection": connection, "url": url})


def _refused(
    request: HttpRequest, connection: SsoConnection, error: AlongsideError
) -> HttpResponse:
    return render(
        request,
        "sso/refused.html",
        {"connection": connection, "message": error.message, "code": error.code},
        status=error.status if error.status >= 400 else 403,
    )


@never_cache
def start(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Begin signing in with the organisation's identity provider."""
    connection = _connection_or_404(org_slug)
    next_path = safe_next(request.GET.get("next"))
    if next_path == "/":
        next_path = reverse("home:organisation", args=[org_slug])
    return _begin(request, connection, {"next": next_path, "test": False})


@org_view(*ADMINS)
@require_POST
def try_sign_in(request: OrgRequest) -> HttpResponse:
    """Run the flow with the saved settings without signing anyone in (nor switching on)."""
    connection = _connection_or_404(request.organisation.slug, enabled_only=False)
    return _begin(request, connection, {"test": True, "actor": request.user.pk})


def _complete(request: HttpRequest, connection: SsoConnection, finish: Any) -> HttpResponseBase:
    flow = request.session.pop(FLOW_KEY, None) or {}
    testing = bool(flow.get("test")) and flow.get("organisation") == connection.organisation.slug
    settings_page = reverse("sso:settings", args=[connection.organisation.slug])
    if testing:
        actor = User.objects.filter(pk=int(flow.get("actor") or 0)).first()
        if actor is None or actor.pk != request.user.pk:
            raise Http404
        try:
            identity = finish()
            person = identity_check(connection, identity)
        except AlongsideError as error:
            sso_test_record(
                connection=connection, actor=actor, ok=False, result={"error": error.message}
            )
            messages.error(request, _("Try sign-in failed: %(reason)s") % {"reason": error.message})
        else:
            result = {**identity.as_result(), "person": person.name}
            sso_test_record(connection=connection, actor=actor, ok=True, result=result)
            messages.success(
                request,
                _(
                    "Try sign-in worked: the provider signed in %(email)s, who is %(person)s "
                    "in the directory. Nobody was signed in; you can now switch it on."
                )
                % {"email": identity.email, "person": person.name},
            )
        return redirect(settings_page)
    try:
        identity = finish()
        user = sso_sign_in(connection=connection, identity=identity, client_ip=client_ip(request))
    except AlongsideError as error:
        return _refused(request, connection, error)
    login(request, user, backend=MODEL_BACKEND)
    next_path = flow.get("next") if flow.get("organisation") == connection.organisation.slug else ""
    return redirect(
        safe_next(next_path)
        if next_path
        else reverse("home:organisation", args=[connection.organisation.slug])
    )


@never_cache
def oidc_callback(request: HttpRequest, org_slug: str) -> HttpResponseBase:
    connection = _connection_or_404(org_slug, enabled_only=False)
    if connection.protocol != SsoConnection.Protocol.OIDC:
        raise Http404
    return _complete(request, connection, lambda: oidc.finish(request, connection))


@csrf_exempt  # the identity provider posts here; the response itself is signed
@require_POST
def saml_acs(request: HttpRequest, org_slug: str) -> HttpResponse:
    connection = _connection_or_404(org_slug, enabled_only=False)
    if connection.protocol != SsoConnection.Protocol.SAML or "SAMLResponse" not in request.POST:
        raise Http404
    key = saml.hand_off(
        organisation_slug=org_slug,
        saml_response=request.POST["SAMLResponse"],
        relay_state=request.POST.get("RelayState", ""),
    )
    # The browser sends the session cookie only with this same-site redirect.
    response = redirect(reverse("sso_flow:saml_finish", args=[org_slug]) + f"?key={key}")
    response.status_code = 303
    return response


@never_cache
def saml_finish(request: HttpRequest, org_slug: str) -> HttpResponseBase:
    connection = _connection_or_404(org_slug, enabled_only=False)
    if connection.protocol != SsoConnection.Protocol.SAML:
        raise Http404
    key = request.GET.get("key", "")
    return _complete(request, connection, lambda: saml.finish(request, connection, key))


def saml_metadata(request: HttpRequest, org_slug: str) -> HttpResponse:
    """This organisation's service provider metadata, to give the identity provider."""
    connection = _connection_or_404(org_slug, enabled_only=False)
    if connection.protocol != SsoConnection.Protocol.SAML:
        raise Http404
    return HttpResponse(saml.sp_metadata(connection), content_type="application/samlmetadata+xml")


# --- Settings (organisation admins) -------------------------------------------------------


def _initial(connection: SsoConnection | None) -> dict[str, Any]:
    if connection is None:
        defaults = DEFAULT_MAPPING[SsoConnection.Protocol.OIDC]
        return {
            "protocol": SsoConnection.Protocol.OIDC,
            "attribute_email": defaults["email"],
            "attribute_name": defaults["name"],
        }
    mapping = connection.mapping()
    return {
        "protocol": connection.protocol,
        "display_name": connection.display_name,
        "issuer_url": connection.issuer_url,
        "client_id": connection.client_id,
        "idp_metadata_url": connection.idp_metadata_url,
        "idp_metadata_xml": "" if connection.idp_metadata_url else connection.idp_metadata_xml,
        "email_domains": ", ".join(connection.email_domains),
        "attribute_email": mapping["email"],
        "attribute_name": mapping["name"],
        "attribute_employee_id": mapping["employee_id"],
    }


def _settings_context(request: OrgRequest, form: SsoSettingsForm) -> dict[str, Any]:
    connection = connection_for(request.organisation.slug)
    protocol = form["protocol"].value() or SsoConnection.Protocol.OIDC
    slug = request.organisation.slug
    site = settings.SITE_URL
    return {
        "form": form,
        "connection": connection,
        "protocol": protocol,
        "redirect_uri": site + reverse("sso_flow:oidc_callback", args=[slug]),
        "sp_entity_id": site + reverse("sso_flow:saml_metadata", args=[slug]),
        "acs_url": site + reverse("sso_flow:saml_acs", args=[slug]),
        "start_url": site + reverse("sso_flow:start", args=[slug]),
        "admins": admins_to_ask(request.organisation),
    }


@org_view(*ADMINS)
def sso_settings(request: OrgRequest) -> HttpResponse:
    connection = connection_for(request.organisation.slug)
    data = request.POST if request.method == "POST" else None
    if data is None and request.htmx and request.GET.get("protocol"):
        # The form re-drawn for the protocol just chosen (htmx), keeping what was typed.
        form = SsoSettingsForm(initial={**_initial(connection), **request.GET.dict()})
        return render(request, "sso/settings_fields.html", _settings_context(request, form))
    initial = _initial(connection)
    if request.GET.get("protocol") in SsoConnection.Protocol.values:
        initial["protocol"] = request.GET["protocol"]
    form = SsoSettingsForm(
        data, initial=initial, has_secret=bool(connection and connection.client_secret_encrypted)
    )
    if request.method == "POST" and form.is_valid():
        try:
            sso_configure(
                organisation=request.organisation, actor=request.user, **form.service_arguments()
            )
        except AlongsideError as error:
            for problem in error.problems or []:
                field = problem.field or ""
                target = form.field_for(field)
                form.add_error(target, problem.message)
            if not error.problems:
                form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Saved. Use “Try sign-in” to check the settings with your identity provider."),
            )
            return redirect("sso:settings", org_slug=request.organisation.slug)
    return render(request, "sso/settings.html", _settings_context(request, form))


@org_view(*ADMINS)
@require_POST
def sso_switch(request: OrgRequest) -> HttpResponse:
    """Switch single sign-on on or off, make it required or optional, or remove it."""
    connection = _connection_or_404(request.organisation.slug, enabled_only=False)
    action = request.POST.get("action", "")
    try:
        if action in ("enable", "disable"):
            sso_set_enabled(connection=connection, actor=request.user, enabled=action == "enable")
        elif action in ("require", "optional"):
            sso_set_required(
                connection=connection, actor=request.user, required=action == "require"
            )
        elif action == "remove":
            sso_remove(connection=connection, actor=request.user)
        else:
            raise AlongsideError(_("Unknown action."))
    except AlongsideError as error:
        messages.error(request, error.message)
    else:
        done = {
            "enable": _("Single sign-on is on: members can use it and its domains are sent to it."),
            "disable": _("Single sign-on is off."),
            "require": _("Single sign-on is now the only way in for this organisation's members."),
            "optional": _("Members may again sign in with a password or an emailed link."),
            "remove": _("The single sign-on settings were removed."),
        }
        messages.success(request, done[action])
    return redirect("sso:settings", org_slug=request.organisation.slug)
