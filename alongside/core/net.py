"""Calls to addresses that organisations give us (webhooks, HR sources, chat, video).

Such an address must not reach into the server's own network: unless
``settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`` is on (development, tests, a self-hosted
install that means to call its intranet), a host that resolves to a private, loopback
or link-local address is refused, at registration and again when calling it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

MAX_RETRY_AFTER = timedelta(days=1)


def is_private_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return not ip.is_global


def is_private_host(host: str) -> bool:
    """True when ``host`` resolves to any non-public address; unknown hosts are False
    (they are checked again when called)."""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        return False
    return any(is_private_address(a) for a in addresses)


def retry_after(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """The moment a ``Retry-After`` header (seconds or an HTTP date) asks us to wait for,
    at most a day away; None without a readable header."""
    value = str(headers.get("Retry-After", "") or headers.get("retry-after", "")).strip()
    if not value:
        return None
    if value.isdigit():
        return now + min(timedelta(seconds=int(value)), MAX_RETRY_AFTER)
    try:
        return min(parsedate_to_datetime(value), now + MAX_RETRY_AFTER)
    except (TypeError, ValueError):
        return None
