"""How a webhook is signed, Django-free so that receivers can read it as a reference.

Each request carries ``X-Alongside-Timestamp`` (Unix seconds) and
``X-Alongside-Signature: v1=<hex>``, where ``<hex>`` is HMAC-SHA256, keyed with the
endpoint's signing secret, of ``"<timestamp>.<raw request body>"``. A receiver
recomputes it over the bytes it received, compares in constant time, and refuses
timestamps more than five minutes from its own clock (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Alongside-Signature"
TIMESTAMP_HEADER = "X-Alongside-Timestamp"
EVENT_HEADER = "X-Alongside-Event"
DELIVERY_HEADER = "X-Alongside-Delivery"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secret: str, timestamp: int, body: bytes, header: str, now: int) -> bool:
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)
