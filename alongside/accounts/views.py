from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alongside.accounts.backends import PASSWORD_BACKEND
from alongside.accounts.forms import ApiTokenForm, LanguageForm, PasswordResetForm, SignInForm
from alongside.accounts.models import ApiToken, User, normalise_email
from alongside.accounts.password_reset import password_reset_request, reset_days
from alongside.accounts.services import api_token_create, api_token_revoke, user_language_set
from alongside.accounts.sign_in_links import (
    BROWSER_COOKIE,
    browser_digest,
    new_browser_nonce,
    requested_minutes,
    safe_next,
    sign_in_link_consume,
    sign_in_link_find,
    sign_in_link_request,
    stale_reason,
)
from alongside.accounts.sign_in_policy import realm_for_email
from alongside.core.client_ip import client_ip
from alongside.core.errors import AlongsideError
from alongside.core.languages import supported

MODEL_BACKEND = PASSWORD_BACKEND


def _with_next(url: str, next_path: str) -> str:
    return f"{url}?{urlencode({'next': next_path})}" if next_path and next_path != "/" else url


def _keep_picked_language(request: HttpRequest, user: User) -> None:
    """A language picked before signing in is the person's first choice: keep it."""
    picked = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if picked and not user.language:
        user_language_set(user=user, language=picked)


def _browser_nonce(request: HttpRequest) -> str:
    return request.COOKIES.get(BROWSER_COOKIE, "") or new_browser_nonce()


def _remember_browser(response: HttpResponseBase, nonce: str) -> HttpResponseBase:
    response.set_cookie(
        BROWSER_COOKIE,
        nonce,
        max_age=60 * 60 * 24,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _ask_for_link(request: HttpRequest, email: str, next_path: str) -> HttpResponseBase | None:
    """Queue a link; None with a message on the request when the ask is refused."""
    nonce = _browser_nonce(request)
    try:
        sign_in_link_request(
            email=email, next_path=next_path, browser_nonce=nonce, client_ip=client_ip(request)
        )
    except AlongsideError as error:
        messages.error(request, error.message)
        return None
    response = redirect("accounts:sign_in_link_sent")
    return _remember_browser(response, nonce)


class SignInView(auth_views.LoginView):
    """Email and password, or an emailed link; an address under single sign-on goes there."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = normalise_email(request.POST.get("username", ""))
        next_path = safe_next(request.POST.get("next") or request.GET.get("next"))
        realm = realm_for_email(email) if "@" in email else None
        wants_link = request.POST.get("method") == "link"
        if realm is not None and (realm.required or not request.POST.get("password")):
            # Home-realm discovery: the address's organisation signs in elsewhere.
            return redirect(_with_next(realm.url, next_path))
        if wants_link:
            response = _ask_for_link(request, email, next_path)
            if response is not None:
                return response  # type: ignore[return-value]
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["link_minutes"] = requested_minutes()
        context["wants_link"] = self.request.GET.get("method") == "link"
        return context

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        _keep_picked_language(self.request, form.get_user())
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """A reset for an account with a password; a sign-in link for everyone else.

    The ask is queued (accounts/password_reset.py), so the page answers alike, and as
    fast, for every address.
    """

    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        nonce = _browser_nonce(self.request)
        try:
            password_reset_request(
                email=form.cleaned_data["email"],
                browser_nonce=nonce,
                client_ip=client_ip(self.request),
            )
        except AlongsideError as error:
            form.add_error("email", error.message)
            return self.form_invalid(form)
        response = redirect("accounts:password_reset_done")
        _remember_browser(response, nonce)
        return response


def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/password_reset_done.html",
        {"days": reset_days(), "minutes": requested_minutes()},
    )


def sign_in_realm(request: HttpRequest) -> HttpResponse:
    """The sign-in page's hint, as the address is typed: where this address signs in."""
    email = normalise_email(request.GET.get("username", ""))
    realm = realm_for_email(email) if "@" in email and "." in email.split("@")[-1] else None
    next_path = safe_next(request.GET.get("next"))
    return render(
        request,
        "accounts/sign_in_realm.html",
        {"realm": realm, "realm_url": _with_next(realm.url, next_path) if realm else ""},
    )


def sign_in_link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/sign_in_link_sent.html", {"minutes": requested_minutes()})


@never_cache
def sign_in_link_open(request: HttpRequest, secret: str) -> HttpResponseBase:
    """Open an emailed link: in the browser that asked, sign in; elsewhere, confirm first."""
    link = sign_in_link_find(secret)
    if link is None or not link.is_usable():
        user = request.user
        if link is not None and getattr(user, "email", None) == link.email:
            return redirect(link.next_path)  # already signed in here as its owner
        return render(
            request,
            "accounts/sign_in_link_stale.html",
            {"reason": stale_reason(link), "link": link, "secret": secret},
            status=410 if link is not None else 404,
        )
    signed_in_as = request.user if request.user.is_authenticated else None
    if isinstance(signed_in_as, User) and signed_in_as.email == link.email:
        return redirect(link.next_path)
    nonce = request.COOKIES.get(BROWSER_COOKIE, "")
    same_browser = bool(link.browser_hash) and browser_digest(nonce) == link.browser_hash
    if request.method != "POST" and not (same_browser and signed_in_as is None):
        return render(
            request,
            "accounts/sign_in_link_confirm.html",
            {"link": link, "signed_in_as": signed_in_as, "secret": secret},
        )
    try:
        spent = sign_in_link_consume(
            secret=secret, client_ip=client_ip(request), same_browser=same_browser
        )
    except AlongsideError as error:
        return render(
            request,
            "accounts/sign_in_link_stale.html",
            {"reason": error.message, "link": link, "secret": secret, "refused": True},
            status=error.status,
        )
    owner: User = spent.user  # type: ignore[attr-defined]
    login(request, owner, backend=MODEL_BACKEND)
    _keep_picked_language(request, owner)
    return redirect(spent.next_path)


@require_POST
def sign_in_link_fresh(request: HttpRequest, secret: str) -> HttpResponseBase:
    """A used or expired link offers a fresh one, to the same address and the same page."""
    link = sign_in_link_find(secret)
    if link is None:
        return redirect("accounts:login")
    response = _ask_for_link(request, link.email, link.next_path)
    if response is None:
        return redirect(_with_next(reverse("accounts:login"), link.next_path))
    return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The switcher on every page: saves the choice and comes back to the same page."""
    form = LanguageForm(request.POST)
    back = request.POST.get("next") or request.headers.get("Referer") or "/"
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    response = redirect(back)
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    user = request.user
    if isinstance(user, User):
        user_language_set(user=user, language=language)
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite="Lax",
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
    return response


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = api_token_create(user=user, name=form.cleaned_data["name"])
        except AlongsideError as error:
            form.add_error("name", error.message)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=user)
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_secret": new_secret},
    )


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, token_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    token = get_object_or_404(ApiToken, pk=token_id, user=user)
    api_token_revoke(token=token, actor=user)
    messages.success(request, _("The token '%(name)s' is revoked.") % {"name": token.name})
    return redirect("accounts:api_tokens")
