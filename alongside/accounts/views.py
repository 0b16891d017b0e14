from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from alongside.accounts.forms import ApiTokenForm, SignInForm
from alongside.accounts.models import ApiToken, User
from alongside.accounts.services import api_token_create, api_token_revoke
from alongside.core.errors import AlongsideError


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


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
    messages.success(request, f"The token '{token.name}' is revoked.")
    return redirect("accounts:api_tokens")
