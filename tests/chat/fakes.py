"""Local stand-ins, on 127.0.0.1, for the Slack Web API and the Bot Framework, answering
as their documentation says (Slack: ``{"ok": false, "error": …}`` and HTTP 429 with
``Retry-After``; Bot Framework: a client-credentials token, connector conversations and
members, OpenID metadata with the keys that sign its requests)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.localapi import Answer, Call, LocalApi

BOT_TOKEN = "xoxb-test-bot-token"


@dataclass
class FakeSlack:
    api: LocalApi
    users: dict[str, str] = field(default_factory=dict)  # email → user id
    revoked: bool = False

    @property
    def base_url(self) -> str:
        return f"{self.api.url}/api/"

    def posts(self) -> list[Call]:
        return self.api.calls_to("/api/chat.postMessage")

    def install(self) -> None:
        def authed(handler: Any) -> Any:
            def answer(call: Call) -> Answer:
                if call.headers.get("authorization") != f"Bearer {BOT_TOKEN}":
                    return 200, {"ok": False, "error": "invalid_auth"}, {}
                if self.revoked:
                    return 200, {"ok": False, "error": "token_revoked"}, {}
                return handler(call)

            return answer

        def arguments(call: Call) -> dict[str, Any]:
            if call.headers.get("content-type", "").startswith("application/json"):
                return dict(call.json)
            values = {k: v[-1] for k, v in call.query.items()}
            values.update(call.form if call.body else {})
            return values

        def lookup(call: Call) -> Answer:
            email = arguments(call).get("email", "")
            if email in self.users:
                return 200, {"ok": True, "user": {"id": self.users[email], "name": email}}, {}
            return 200, {"ok": False, "error": "users_not_found"}, {}

        def open_conversation(call: Call) -> Answer:
            users = str(arguments(call).get("users", ""))
            prefix = "G" if "," in users else "D"
            return 200, {"ok": True, "channel": {"id": prefix + users.replace(",", "")}}, {}

        def post(call: Call) -> Answer:
            values = arguments(call)
            return 200, {"ok": True, "channel": values["channel"], "ts": f"{time.time():.6f}"}, {}

        for method in ("GET", "POST"):
            self.api.route(method, "/api/users.lookupByEmail", authed(lookup))
            self.api.route(method, "/api/conversations.open", authed(open_conversation))
        self.api.route("POST", "/api/chat.postMessage", authed(post))


@dataclass
class FakeBotFramework:
    api: LocalApi
    app_id: str = "00000000-bot-app-id"
    password: str = "bot-password"
    members: dict[str, dict[str, str]] = field(default_factory=dict)  # user id → member
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    @property
    def service_url(self) -> str:
        return f"{self.api.url}/teams/"

    def activities_to(self, conversation_id: str) -> list[Call]:
        return self.api.calls_to(f"/teams/v3/conversations/{conversation_id}/activities")

    def install(self) -> None:
        def token(call: Call) -> Answer:
            form = call.form
            if form.get("client_id") != self.app_id or form.get("client_secret") != self.password:
                return (
                    401,
                    {
                        "error": "invalid_client",
                        "error_description": "AADSTS7000215: Invalid client secret.",
                    },
                    {},
                )
            return 200, {"token_type": "Bearer", "expires_in": 3599, "access_token": "bf-token"}, {}

        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        public.update(kid="test-key", use="sig", alg="RS256")
        self.api.route("POST", "/botframework/token", token)
        self.api.route(
            "GET",
            "/botframework/openid",
            (
                200,
                {
                    "issuer": "https://api.botframework.com",
                    "jwks_uri": f"{self.api.url}/botframework/keys",
                },
                {},
            ),
        )
        self.api.route("GET", "/botframework/keys", (200, {"keys": [public]}, {}))

    def member_route(self, conversation_id: str, user_id: str, email: str) -> None:
        def member(call: Call) -> Answer:
            if call.headers.get("authorization") != "Bearer bf-token":
                return 401, {"error": {"code": "Unauthorized"}}, {}
            return (
                200,
                {
                    "id": user_id,
                    "name": email,
                    "email": email,
                    "userPrincipalName": email,
                    "aadObjectId": "aad-" + user_id,
                },
                {},
            )

        self.api.route(
            "GET", f"/teams/v3/conversations/{conversation_id}/members/{user_id}", member
        )
        self.api.route(
            "POST",
            f"/teams/v3/conversations/{conversation_id}/activities",
            (201, {"id": "activity-1"}, {}),
        )

    def signed(
        self, activity: dict[str, Any], *, audience: str | None = None, key: Any = None
    ) -> str:
        claims = {
            "iss": "https://api.botframework.com",
            "aud": audience or self.app_id,
            "serviceurl": activity.get("serviceUrl"),
            "nbf": int(time.time()) - 10,
            "exp": int(time.time()) + 600,
        }
        return "Bearer " + jwt.encode(
            claims, key or self.key, algorithm="RS256", headers={"kid": "test-key"}
        )
