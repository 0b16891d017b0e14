"""Secrets kept at rest encrypted (an identity provider's client secret, say).

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) with a key derived from
Django's ``SECRET_KEY`` by HKDF for this one purpose, so the database alone never holds
a usable secret. After a key rotation, values written under a key in
``SECRET_KEY_FALLBACKS`` still decrypt; re-saving them re-encrypts under the new key.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from alongside.core.errors import AlongsideError

_INFO = b"alongside: secrets at rest"


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def encrypt(value: str) -> str:
    return _keys().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise AlongsideError(
            "A stored secret cannot be read: it was encrypted under another secret key. "
            "Enter it again.",
            code="secret_unreadable",
        ) from error
