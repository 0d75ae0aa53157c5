"""The list of submissions, newest first, filtered by office, kind, year, period and status, a page at a time."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from generator.records.ledger import FILTERS, PAGE_SIZE, Ledger
from generator.web.desk import desk, page


async def submissions(request: Request):
    filters = {k: request.query_params.get(k, "") for k in FILTERS}
    try:
        asked = min(max(1, int(request.query_params.get("page", "1"))), 10 ** 12)
    except ValueError:
        asked = 1  # not a number: the first page
    state_dir = desk(request).state_dir

    def one_page():
        with Ledger(state_dir) as led:
            records, total = led.page(filters, limit=PAGE_SIZE, offset=(asked - 1) * PAGE_SIZE)
            pages = max(1, -(-total // PAGE_SIZE))
            number = min(asked, pages)
            if number != asked:  # past the end: the last page
                records, total = led.page(filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
                pages = max(1, -(-total // PAGE_SIZE))
            return records, total, number, pages, led.choices()

    records, total, number, pages, choices = await run_in_threadpool(one_page)
    kept = {k: v for k, v in filters.items() if v}

    def page_url(n: int) -> str:
        return "/?" + urlencode({**kept, "page": n})

    return page(request, "list.html", records=records, filters=filters, choices=choices, total=total,
                number=number, pages=pages, page_url=page_url, first=(number - 1) * PAGE_SIZE + 1)
