"""The organisation settings page links to provisioning."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alongside.core.panels import panel


@panel("organisations.settings", template="scim/_settings_link.html", order=10)
def provisioning_link(*, request: Any) -> Mapping[str, Any] | None:
    return {}
