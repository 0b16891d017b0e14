"""Real identity providers for the single sign-on tests, one of each per test process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.identity_providers.harness import (
    OidcProvider,
    SamlProvider,
    oidc_provider,
    require_xmlsec,
    saml_provider,
)


@pytest.fixture(scope="session")
def oidc_idp() -> Iterator[OidcProvider]:
    with oidc_provider(["http://127.0.0.1:8000/sso/acme/oidc/callback/"]) as provider:
        yield provider


@pytest.fixture(scope="session")
def saml_idp() -> Iterator[SamlProvider]:
    require_xmlsec()
    with saml_provider() as provider:
        yield provider
