"""The receiving office's page, /summary: the summary of one year and period with its filters, and the summary
workbook and Word annex to download; collected exactly as `gen summary` collects it (periods.summarizing: the
same lateness rule, the roster's offices that did not report, folders relative to the output root). The roster
is the file `roster.txt`, `roster.csv` or `roster.xlsx` in the state folder, as `gen summary --roster` reads it."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from generator.periods import roster as rosters, summary as summaries
from generator.records.ledger import Ledger
from generator.spec import kinds
from generator.text import bangla, clock
from generator.web.desk import desk, page
from generator.web.texts import content_disposition

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLAN_KINDS = [k for k, v in kinds.KINDS.items() if v.scored]


def _asked(request: Request):
    """(fiscal year, period, kind) from the query, each None when not given or not understood."""
    q = request.query_params
    fy = bangla.parse_fiscal_year(q.get("fiscal_year", ""))
    period = bangla.parse_period(q.get("period", "")) if q.get("period") else None
    kind = q.get("kind") if q.get("kind") in PLAN_KINDS else None
    return fy, period, kind


ROSTER_NAMES = ("roster.txt", "roster.csv", "roster.xlsx")


def roster_file(state_dir: Path) -> Path | None:
    return next((state_dir / n for n in ROSTER_NAMES if (state_dir / n).is_file()), None)


def _collect(request: Request, fy, period, kind) -> tuple[summaries.Summary, tuple[str, str] | None]:
    """The summary, and what is wrong with the roster when it cannot be read (the summary then has none)."""
    from generator.periods import summarizing  # with summary_docs, python-docx and openpyxl: not at every start

    shared = desk(request)
    found, problem = roster_file(shared.state_dir), None
    try:
        asked = summarizing.asked(fy.slug, period.id, kind=kind, roster=found)
    except rosters.RosterError as e:
        asked, problem = summarizing.asked(fy.slug, period.id, kind=kind), (e.bn, e.en)
    return summarizing.collect(asked, state_dir=shared.state_dir, out_root=shared.out_root), problem


def _years(request: Request) -> list[str]:
    with Ledger(desk(request).state_dir) as ledger:
        return [y for y in ledger.choices()["fiscal_year"] if bangla.parse_fiscal_year(y)]


def _title(result: summaries.Summary) -> str:
    from generator.periods import summary_docs  # already imported by _collect, in the thread pool

    return summary_docs.title(result)


async def summary(request: Request):
    fy, period, kind = _asked(request)
    choices = await run_in_threadpool(_years, request)
    if fy is None and choices:
        fy = bangla.parse_fiscal_year(choices[-1])
    result, roster_problem = await run_in_threadpool(_collect, request, fy, period, kind) if fy and period else (None, None)
    query = f"fiscal_year={fy.slug}&period={period.id}" + (f"&kind={kind}" if kind else "") if result else ""
    return page(request, "summary.html", result=result, years=choices, periods=bangla.PERIODS, plan_kinds=PLAN_KINDS,
                chosen={"fiscal_year": fy.slug if fy else "", "period": period.id if period else "", "kind": kind or ""},
                query=query, status_bn=summaries.STATUS_BN, status_en=summaries.STATUS_EN,
                title=_title(result) if result else "",
                deadline_bn=bangla.format_gregorian_date(result.deadline) if result else "",
                roster_problem=roster_problem,
                counts={s: sum(1 for r in result.rows if r.status == s) for s in summaries.STATUS_BN} if result else {})


async def summary_file(request: Request):
    fy, period, kind = _asked(request)
    what = request.path_params["what"]
    if fy is None or period is None or what not in ("xlsx", "docx"):
        raise HTTPException(404)
    result, _ = await run_in_threadpool(_collect, request, fy, period, kind)
    from generator.periods import summary_docs  # already imported by _collect, in the thread pool

    today = clock.today()
    if what == "xlsx":
        data, media = await run_in_threadpool(summary_docs.write_workbook, result, today), XLSX
    else:
        data, media = await run_in_threadpool(summary_docs.write_document, result, today), DOCX
    name = f"summary-{fy.slug}-{period.id}{'-' + kind if kind else ''}.{what}"
    return Response(data, media_type=media, headers={"content-disposition": content_disposition(name)})
