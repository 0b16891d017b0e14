"""The test provider's sign-in page: anyone may be anyone, and may ask it to misbehave."""

from __future__ import annotations

from html import escape

from django.contrib.auth import get_user_model, login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.utils.http import url_has_allowed_host_and_scheme

from tests.identity_providers.oidc.hooks import PROFILES

SCENARIOS = {
    "": "Behave",
    "wrong_audience": "Send a token for another audience",
    "expired": "Send an expired token",
    "bad_signature": "Sign the token with an unpublished key",
    "unverified_email": "Say the email address is not verified",
}

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Test identity provider</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}
label{{display:block;margin:.6rem 0 .2rem;font-weight:600}}
input,select{{width:100%;padding:.4rem;font:inherit}}
button{{margin-top:1rem;padding:.5rem 1rem;font:inherit}}</style></head><body>
<h1>Test OpenID provider</h1>
<p>Sign in as anyone: this provider exists for tests and the demo.</p>
<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<label for="email">Email</label>
<input id="email" name="email" type="email" required value="{email}">
<label for="name">Name</label><input id="name" name="name" value="">
<label for="employee_id">Employee id</label><input id="employee_id" name="employee_id" value="">
<label for="scenario">Behaviour</label><select id="scenario" name="scenario">{options}</select>
<button type="submit">Sign in</button></form></body></html>"""


def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST":
        email = request.POST.get("email", "").strip()
        user, _created = get_user_model().objects.get_or_create(
            username=email, defaults={"email": email}
        )
        PROFILES[user.pk] = {
            "name": request.POST.get("name", "").strip() or email,
            "employee_id": request.POST.get("employee_id", "").strip(),
            "scenario": request.POST.get("scenario", ""),
        }
        login(request, user)
        return HttpResponseRedirect(next_url)
    options = "".join(
        f'<option value="{value}">{escape(label)}</option>' for value, label in SCENARIOS.items()
    )
    return HttpResponse(
        PAGE.format(
            csrf=get_token(request),
            next=escape(next_url),
            email=escape(request.GET.get("login_hint", "")),
            options=options,
        )
    )
