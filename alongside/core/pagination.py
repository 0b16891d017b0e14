from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(
    request: HttpRequest,
    items: Any,
    per_page: int = 50,
    *,
    number: str | None = None,
    count: int | None = None,
) -> Page:
    """One page of ``items`` (``?page=``, or ``number`` when the form posts it).

    ``count``: how many items there are, when the caller has counted them already (in
    an aggregate it needed anyway), so the paginator does not count again."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.__dict__["count"] = count  # Paginator.count is a cached property
    return paginator.get_page(number if number is not None else request.GET.get("page"))
