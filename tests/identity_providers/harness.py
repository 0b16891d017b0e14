"""Starting the test identity providers from the test suite, each in its own process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.identity_providers.saml_idp import xmlsec_binary

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "alongside-tests"
CLIENT_SECRET = "a-test-client-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"the identity provider stopped: {output[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"the identity provider did not answer at {url}")


@contextmanager
def _running(arguments: list[str], ready_url: str) -> Iterator[None]:
    environment = {**os.environ, "PYTHONWARNINGS": "ignore"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", *arguments],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(ready_url, process)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET


@dataclass(frozen=True)
class SamlProvider:
    metadata_url: str


@contextmanager
def oidc_provider(redirect_uris: list[str]) -> Iterator[OidcProvider]:
    port = free_port()
    arguments = ["tests.identity_providers.oidc.serve", "--port", str(port)]
    arguments += ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]
    for uri in redirect_uris:
        arguments += ["--redirect-uri", uri]
    issuer = f"http://127.0.0.1:{port}/openid"
    with _running(arguments, issuer + "/.well-known/openid-configuration"):
        yield OidcProvider(issuer=issuer)


def require_xmlsec() -> None:
    """The SAML provider signs with the xmlsec1 program: skip loudly without it."""
    if xmlsec_binary() is not None:
        return
    message = (
        "SAML TESTS SKIPPED: the test identity provider needs xmlsec1 "
        "(apt-get install xmlsec1; .ci/run installs it)."
    )
    if os.environ.get("ALONGSIDE_REQUIRE_ALL") == "1":
        pytest.fail(message + " ALONGSIDE_REQUIRE_ALL=1 makes this a failure.")
    pytest.skip(message)


@contextmanager
def saml_provider() -> Iterator[SamlProvider]:
    port = free_port()
    metadata_url = f"http://127.0.0.1:{port}/saml/metadata"
    with _running(["tests.identity_providers.saml_idp", "--port", str(port)], metadata_url):
        yield SamlProvider(metadata_url=metadata_url)
