"""One way to page every list in the API.

``?page=N&page_size=M`` (page from 1; 50 a page unless asked, at most 500) and every
list answers ``{"items": [...], "count": total, "next": url|null, "previous": url|null}``,
``next`` and ``previous`` being the same request for the neighbouring page, so a client
follows ``next`` until it is null. Apply it with ``@paginate(Pagination)`` under an
operation whose 200 response is ``list[Schema]``; the OpenAPI schema then shows the
paged shape and the two query parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field
from ninja.pagination import PaginationBase

from alongside.core.schemas import Schema

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
T = TypeVar("T")


class Mapped(Generic[T]):
    """A query whose rows are turned into API items only for the page asked for.

    ``Mapped(queryset, to_item)`` counts in SQL and calls ``to_item`` on one page's rows;
    ``to_page`` (optional) is called once with a page's rows first, to load what they
    share in a few queries, and its result is passed to each ``to_item`` call.
    """

    def __init__(
        self,
        rows: QuerySet[Any] | Sequence[Any],
        to_item: Callable[..., T],
        to_page: Callable[[list[Any]], Any] | None = None,
    ) -> None:
        self.rows = rows
        self.to_item = to_item
        self.to_page = to_page

    def count(self) -> int:
        return self.rows.count() if isinstance(self.rows, QuerySet) else len(self.rows)

    def all(self) -> Mapped[T]:
        return self

    def __getitem__(self, window: slice) -> list[T]:
        page = list(self.rows[window])
        if self.to_page is None:
            return [self.to_item(row) for row in page]
        shared = self.to_page(page)
        return [self.to_item(row, shared) for row in page]


class Pagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, description="Page number, from 1.")
        page_size: int = Field(
            DEFAULT_PAGE_SIZE,
            description=f"Items a page; more than {MAX_PAGE_SIZE} is taken as {MAX_PAGE_SIZE}.",
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Items in all pages together.")
        next: str | None = Field(description="The next page's address; null on the last.")
        previous: str | None = Field(description="The previous page's address; null on the first.")

    items_attribute = "items"

    def paginate_queryset(
        self,
        queryset: QuerySet[Any] | Sequence[Any] | Mapped[Any],
        pagination: Input,
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        size = max(1, min(pagination.page_size, MAX_PAGE_SIZE))
        number = max(1, pagination.page)
        offset = (number - 1) * size
        count = self._items_count(queryset)  # type: ignore[arg-type]
        items = list(queryset[offset : offset + size])
        return {
            "items": items,
            "count": count,
            "next": _page_url(request, number + 1) if offset + size < count else None,
            "previous": _page_url(request, number - 1) if number > 1 else None,
        }


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(
        request.path + "?" + urlencode(sorted(query.lists()), doseq=True)
    )
