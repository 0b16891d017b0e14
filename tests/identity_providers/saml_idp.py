"""A SAML 2.0 identity provider for tests and the demo, built on pysaml2.

It reads each service provider's metadata from the address the request names as its
issuer (Alongside's entity id is its metadata URL), shows a sign-in page where anyone may
be anyone, and posts a signed assertion back. On request it misbehaves: an assertion
for another audience, one that has already expired, or one signed with a key that is
not in its published metadata.

``python -m tests.identity_providers.saml_idp --port N`` (needs the ``xmlsec1`` program).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import shutil
import socketserver
import tempfile
import urllib.request
from collections.abc import Callable, Iterable
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

SIGNATURE = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST = "http://www.w3.org/2001/04/xmlenc#sha256"
SCENARIOS = {
    "": "Behave",
    "wrong_audience": "Address the assertion to another service",
    "expired": "Send an assertion that has expired",
    "bad_signature": "Sign with a key that is not in the metadata",
}

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Test SAML identity provider</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}
label{{display:block;margin:.6rem 0 .2rem;font-weight:600}}
input,select{{width:100%;padding:.4rem;font:inherit}}
button{{margin-top:1rem;padding:.5rem 1rem;font:inherit}}</style></head><body>
<h1>Test SAML identity provider</h1>
<p>Sign in as anyone: this provider exists for tests and the demo.</p>
<form method="post" action="/saml/sso/login">
<input type="hidden" name="SAMLRequest" value="{request}">
<input type="hidden" name="RelayState" value="{relay}">
<label for="email">Email</label><input id="email" name="email" type="email" required>
<label for="name">Name</label><input id="name" name="name">
<label for="employee_id">Employee id</label><input id="employee_id" name="employee_id">
<label for="scenario">Behaviour</label><select id="scenario" name="scenario">{options}</select>
<button type="submit">Sign in</button></form></body></html>"""


def xmlsec_binary() -> str | None:
    return shutil.which("xmlsec1")


def _key_pair(directory: Path, name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Test IdP {name}")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


class IdentityProvider:
    def __init__(self, base_url: str, directory: Path) -> None:
        self.base_url = base_url
        self.entity_id = f"{base_url}/saml/metadata"
        self.keys = _key_pair(directory, "signing")
        self.rogue_keys = _key_pair(directory, "rogue")

    def config(self, keys: tuple[str, str], sp_metadata: str | None = None) -> Any:
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.config import IdPConfig
        from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS

        settings: dict[str, Any] = {
            "entityid": self.entity_id,
            "service": {
                "idp": {
                    "name": "Test SAML identity provider",
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{self.base_url}/saml/sso", BINDING_HTTP_REDIRECT)
                        ]
                    },
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "want_authn_requests_signed": False,
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 10},
                            "name_form": NAME_FORMAT_URI,
                            "attribute_restrictions": None,
                        }
                    },
                }
            },
            "key_file": keys[0],
            "cert_file": keys[1],
            "xmlsec_binary": xmlsec_binary(),
            "signing_algorithm": SIGNATURE,
            "digest_algorithm": DIGEST,
            "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
        }
        config = IdPConfig()
        config.load(settings)
        return config

    def metadata(self) -> str:
        from saml2.metadata import entity_descriptor

        return str(entity_descriptor(self.config(self.keys)))

    def server(self, sp_metadata: str, keys: tuple[str, str]) -> Any:
        from saml2.server import Server

        return Server(config=self.config(keys, sp_metadata))

    def parse_request(self, saml_request: str) -> tuple[Any, str]:
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.server import Server

        bare = Server(config=self.config(self.keys))
        request = bare.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT).message
        issuer = request.issuer.text
        if not issuer.startswith(("http://127.0.0.1", "http://localhost")):
            raise ValueError("this test provider only serves service providers on 127.0.0.1")
        with urllib.request.urlopen(issuer, timeout=10) as answer:
            return request, answer.read().decode()

    def respond(self, form: dict[str, str]) -> str:
        """The auto-posting page that carries the signed response to the service provider."""
        import time_machine
        from saml2 import BINDING_HTTP_POST
        from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID

        request, sp_metadata = self.parse_request(form["SAMLRequest"])
        scenario = form.get("scenario", "")
        keys = self.rogue_keys if scenario == "bad_signature" else self.keys
        server = self.server(sp_metadata, keys)
        audience = (
            "https://another-service.example/saml"
            if scenario == "wrong_audience"
            else request.issuer.text
        )
        email = form.get("email", "").strip()
        identity = {"mail": [email], "displayName": [form.get("name", "").strip() or email]}
        if form.get("employee_id", "").strip():
            identity["employeeNumber"] = [form["employee_id"].strip()]

        def build() -> Any:
            return server.create_authn_response(
                identity=identity,
                in_response_to=request.id,
                destination=request.assertion_consumer_service_url,
                sp_entity_id=audience,
                name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
                authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
                sign_assertion=True,
                sign_response=False,
                sign_alg=SIGNATURE,
                digest_alg=DIGEST,
            )

        if scenario == "expired":
            # Made two hours ago, so its ten-minute validity is long over.
            past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2)
            with time_machine.travel(past, tick=False):
                response = build()
        else:
            response = build()
        http_args = server.apply_binding(
            BINDING_HTTP_POST,
            str(response),
            request.assertion_consumer_service_url,
            form.get("RelayState", ""),
            response=True,
        )
        return str(http_args["data"])

    def app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        try:
            if path == "/saml/metadata":
                return _answer(start_response, "200 OK", self.metadata(), "application/xml")
            if path == "/saml/sso":
                query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
                options = "".join(
                    f'<option value="{value}">{escape(label)}</option>'
                    for value, label in SCENARIOS.items()
                )
                page = PAGE.format(
                    request=escape(query.get("SAMLRequest", "")),
                    relay=escape(query.get("RelayState", "")),
                    options=options,
                )
                return _answer(start_response, "200 OK", page, "text/html")
            if path == "/saml/sso/login" and environ["REQUEST_METHOD"] == "POST":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(length).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                return _answer(start_response, "200 OK", self.respond(form), "text/html")
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            return _answer(start_response, "400 Bad Request", escape(message), "text/plain")
        return _answer(start_response, "404 Not Found", "not found", "text/plain")


def _answer(start_response: Callable[..., Any], status: str, body: str, kind: str) -> list[bytes]:
    data = body.encode()
    start_response(
        status, [("Content-Type", f"{kind}; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    if xmlsec_binary() is None:
        raise SystemExit("the test SAML identity provider needs xmlsec1 (apt-get install xmlsec1)")
    with tempfile.TemporaryDirectory(prefix="alongside-test-saml-") as directory:
        provider = IdentityProvider(f"http://127.0.0.1:{args.port}", Path(directory))
        server = make_server(
            "127.0.0.1",
            args.port,
            provider.app,
            server_class=_ThreadingServer,
            handler_class=_QuietHandler,
        )
        print(f"test SAML identity provider on {provider.entity_id}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


if __name__ == "__main__":
    main()
