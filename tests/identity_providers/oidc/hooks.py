"""What the test OpenID provider says about a user, and how it misbehaves on request."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.http import HttpRequest, HttpResponse

#: user id -> {"name", "employee_id", "scenario"}, set by the sign-in page.
PROFILES: dict[int, dict[str, str]] = {}
ROGUE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
TAMPER = "x_test_tamper"


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    profile = PROFILES.get(user.pk, {})
    claims["email"] = user.email
    claims["email_verified"] = profile.get("scenario") != "unverified_email"
    claims["name"] = profile.get("name", user.email)
    return claims


def id_token_hook(id_token: dict[str, Any], user: Any, **kwargs: Any) -> dict[str, Any]:
    profile = PROFILES.get(user.pk, {})
    if profile.get("employee_id"):
        id_token["employee_number"] = profile["employee_id"]
    scenario = profile.get("scenario", "")
    now = int(time.time())
    if scenario == "wrong_audience":
        id_token["aud"] = "some-other-application"
    elif scenario == "expired":
        id_token["iat"] = now - 3600
        id_token["exp"] = now - 1800
    elif scenario == "bad_signature":
        id_token[TAMPER] = True
    return id_token


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _resign_with_rogue_key(id_token: str) -> str:
    header, payload, _signature = id_token.split(".")
    claims = json.loads(_unb64(payload))
    claims.pop(TAMPER, None)
    body = f"{header}.{_b64(json.dumps(claims).encode())}"
    signature = ROGUE_KEY.sign(body.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{body}.{_b64(signature)}"


class TamperingMiddleware:
    """Re-signs a marked ID token with a key the provider never published (same kid)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/openid/token"):
            return response
        try:
            data = json.loads(response.content)
            claims = json.loads(_unb64(data["id_token"].split(".")[1]))
        except (ValueError, KeyError, IndexError):
            return response
        if claims.get(TAMPER):
            data["id_token"] = _resign_with_rogue_key(data["id_token"])
            response.content = json.dumps(data).encode()
            response["Content-Length"] = str(len(response.content))
        return response
