"""Run the test OpenID provider: ``python -m tests.identity_providers.oidc.serve --port N
--client-id ID --client-secret S --redirect-uri URL [--redirect-uri URL …]``."""

from __future__ import annotations

import argparse
import os
import socketserver
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", action="append", required=True)
    args = parser.parse_args(argv)
    os.environ["TEST_IDP_PORT"] = str(args.port)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.identity_providers.oidc.settings"

    import django

    django.setup()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.conf import settings
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oidc_provider.models import Client, ResponseType, RSAKey

    database = settings.DATABASES["default"]["NAME"]
    if os.path.exists(database):
        os.remove(database)
    call_command("migrate", verbosity=0)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    RSAKey.objects.create(key=pem)
    client = Client.objects.create(
        name="Alongside",
        client_type="confidential",
        client_id=args.client_id,
        client_secret=args.client_secret,
        jwt_alg="RS256",
        require_consent=False,
        reuse_consent=True,
        _redirect_uris="\n".join(args.redirect_uri),
        _scope="openid email profile",
    )
    client.response_types.add(ResponseType.objects.get(value="code"))
    server = make_server(
        "127.0.0.1",
        args.port,
        get_wsgi_application(),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    print(f"test OpenID provider on {settings.SITE_URL}/openid", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if os.path.exists(database):
            os.remove(database)
    sys.exit(0)


if __name__ == "__main__":
    main()
