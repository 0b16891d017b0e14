from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.accounts.forms import ApiTokenForm, LanguageForm, SignInForm
from alongside.accounts.models import ApiToken, User
from alongside.accounts.services import api_token_create, api_token_revoke, user_language_set
from alongside.core.errors import AlongsideError
from alongside.core.languages import supported


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # A language picked on the sign-in page is the person's first choice: keep it.
        user = form.get_user()
        picked = supported(self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        if picked and not user.language:
            user_language_set(user=user, language=picked)
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
