"""Asking for an export through the page and fetching the file the worker made."""

from __future__ import annotations

from typing import Any

from django.test import Client


def export_through_page(client: Client, url: str, capture: Any, **data: str) -> Any:
    """POST ``url`` as the page's button does, run the worker's task, follow to the file.

    Returns the response of the export's page when the file is not made (e.g. 403).
    """
    with capture(execute=True):
        started = client.post(url, data)
    if started.status_code != 302:
        return started
    page = started["Location"]
    return client.get(page + "file/")
