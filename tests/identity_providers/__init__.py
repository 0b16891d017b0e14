"""Identity providers for the single sign-on tests and the demo, served on 127.0.0.1.

* ``oidc/``: an OpenID provider built with django-oidc-provider, in its own process and
  database, with one client for Alongside.
* ``saml_idp.py``: a SAML 2.0 identity provider built with pysaml2 (which signs with
  the ``xmlsec1`` program).

Each has a sign-in page where anyone can be anyone (it is a test provider), and a
choice to misbehave the way a broken or hostile provider would: a token for another
audience, an expired token or assertion, a bad signature. Start both for the demo with
``python -m tests.identity_providers``.
"""
