"""Downloads of the dashboard's tables (Stock, Orders, Actions) as CSV or Excel, with the page's filters applied:
the rows through the one table writer (`tradewind.spreadsheet.table_file`), named after the shop, table and day."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal

from fastapi import Path
from fastapi.responses import Response

from tradewind.spreadsheet import MEDIA_TYPES, TableFormat, table_file
from tradewind.web.deps import PageContext

# The most rows a download holds: a shop's whole order history fits; a file larger than this is for the API.
DOWNLOAD_ROWS = 100_000

FormatPath = Annotated[Literal["csv", "xlsx"], Path(description="csv or xlsx")]


def download(
    page: PageContext, fmt: TableFormat, *, table: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    """The rows as a file to save (`{shop}-{table}-{day}.csv`), the header in the user's language."""
    body = table_file(fmt, [page.gettext(word) for word in header], rows, sheet=page.gettext(table))
    shop = re.sub(r"[^A-Za-z0-9_.-]", "_", page.access.shop.code)  # a header's quoted name: no quote, no newline
    name = f"{shop}-{table.lower()}-{page.base['today'].isoformat()}.{fmt}"
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
