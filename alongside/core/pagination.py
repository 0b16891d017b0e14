from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(
    request: HttpRequest, items: Any, per_page: int = 50, *, number: str | None = None
) -> Page:
    """One page of ``items`` (``?page=``, or ``number`` when the form posts it)."""
    paginator = Paginator(items, per_page)
    return paginator.get_page(number if number is not None else request.GET.get("page"))
