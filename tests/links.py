"""Reading the sign-in links in the product's emails, as a recipient's browser would."""

from __future__ import annotations

import hashlib
import re

from alongside.accounts.models import SignInLink

LINK = re.compile(r"https?://[^/\s\"<>]+(/accounts/link/([^/\s\"<>]+)/)")


def sign_in_paths(text: str) -> list[str]:
    """The /accounts/link/…/ paths in an email body, in order."""
    return [match.group(1) for match in LINK.finditer(text)]


def link_targets(text: str) -> list[str]:
    """The page each sign-in link in ``text`` opens once it has signed its reader in."""
    targets = []
    for match in LINK.finditer(text):
        digest = hashlib.sha256(match.group(2).encode()).hexdigest()
        link = SignInLink.objects.get(token_hash=digest)
        targets.append(link.next_path)
    return targets
