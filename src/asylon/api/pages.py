"""Pages of a list: Ninja's page numbers, bounded.

An unbounded page number reaches the database as an OFFSET past what a 64-bit integer holds,
which SQLite and PostgreSQL refuse with an error instead of an empty page.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.conf import settings
from ninja.pagination import PageNumberPagination

LAST_PAGE = 1_000_000
MOST = settings.PAGINATION_MAX_PER_PAGE_SIZE


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=LAST_PAGE)
        page_size: int | None = Field(None, ge=1, description=f"At most {MOST}; a larger size gives {MOST}.")
