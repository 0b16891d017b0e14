"""Secrets kept at rest encrypted: webhook signing secrets, integration credentials.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the first key of
``settings.ENCRYPTION_KEYS`` and decrypted with any of them, so keys can be rotated:
put the new key first, keep the old ones until everything has been re-encrypted.
Without configured keys, one is derived from ``SECRET_KEY``.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _

from alongside.core.errors import AlongsideError


def _fernet_key(material: str) -> bytes:
    """Any string to a Fernet key (32 bytes, URL-safe base64), stable for the same string."""
    digest = hashlib.sha256(b"alongside-encryption:" + material.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=8)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def _current() -> MultiFernet:
    keys = tuple(getattr(settings, "ENCRYPTION_KEYS", ()) or (settings.SECRET_KEY,))
    return _cipher(keys)


def encrypt(value: str) -> str:
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise AlongsideError(
            _(
                "A stored secret cannot be read with the configured encryption keys; "
                "an administrator has to set it again."
            ),
            code="secret_unreadable",
        ) from error
