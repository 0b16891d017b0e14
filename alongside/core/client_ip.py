"""The address a request really comes from, also behind reverse proxies.

With no proxy configured the client is the connection's peer (``REMOTE_ADDR``) and any
``X-Forwarded-For`` header is ignored: a client can write whatever it likes there.

Behind ``ALONGSIDE_PROXY_COUNT`` trusted proxies (``ALONGSIDE_BEHIND_PROXY`` alone means
one), each proxy appends the address it received the connection from, so the last
entries of ``X-Forwarded-For`` are trustworthy and the client is the one ``count`` places
from the right. Anything further left was sent by the client and is never believed.
Lock-out (django-axes), sign-in rate limits and the audit trail all read this one answer.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def trusted_proxy_count() -> int:
    return int(getattr(settings, "ALONGSIDE_PROXY_COUNT", 0) or 0)


def _address(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.9:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address as the trusted proxies saw it ("" when unknown)."""
    peer = _address(request.META.get("REMOTE_ADDR", "") or "") or ""
    count = trusted_proxy_count()
    if count <= 0:
        return peer
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if not forwarded:
        return peer
    # Fewer entries than proxies means a proxy did not add one: the furthest known hop.
    candidate = forwarded[-count] if len(forwarded) >= count else forwarded[0]
    return _address(candidate) or peer
