"""The overview of a business day: funnel, reconciliation, money, the director's sentence."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from prakerja.reconciliation.gap import gap_sentence, recorded_gap_rows
from prakerja.reporting import staff as reads
from prakerja.reporting.staff_figures import overview_figures
from prakerja.web.auth import DbSession, ViewOverview
from prakerja.web.i18n import translations
from prakerja.web.staff.names import BREAK_NAMES, FUNNEL_NAMES
from prakerja.web.staff.render import chosen_day, page_locale, render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request,
    *,
    session: DbSession,
    staff: ViewOverview,
    date: str | None = None,
) -> HTMLResponse:
    """The day's funnel, reconciliation and money, as numbers and charts."""
    day = chosen_day(date, reads.latest_day(session))
    run = reads.run_up_to(session, day)
    locale = page_locale(request)
    catalog = translations(locale)
    gap = run.gap if run else []
    figures = overview_figures(session, day)
    funnel = dict(figures["funnel"]) | {
        "completed": sum(int(row["participants"]) for row in gap),
        "paid": sum(int(row["participants"]) for row in gap if row["stage"] == "PAID"),
    }
    by_type = [(kind, count) for kind, count in figures["by_type"]]
    by_age = [(bucket, count) for bucket, count in figures["by_age"]]
    money = dict(run.escrow) if run else {}
    money["returned_idr"] = figures["returned_idr"]
    paid_money = [money.get(key, 0) for key in ("funded_idr", "paid_idr", "in_flight_idr")]
    charts = {
        "money": _bars(
            [
                catalog.gettext(name)
                for name in ("Funded", "Paid", "In flight", "Returned by partners")
            ],
            [*paid_money, money["returned_idr"]],
        ),
        "funnel": _bars(
            [catalog.gettext(FUNNEL_NAMES[k]) for k in FUNNEL_NAMES], list(funnel.values())
        ),
        "types": _bars(
            [catalog.gettext(BREAK_NAMES[k]) for k, _ in by_type], [n for _, n in by_type]
        ),
    }
    return render(
        request,
        "staff/overview.html",
        staff,
        day=day,
        run=run,
        funnel=funnel,
        gap=gap,
        by_type=by_type,
        matched=int(figures.get("matched", 0)),
        by_partner=[(partner, count) for partner, count in figures["by_partner"]],
        by_age=by_age,
        money=money,
        sentence=gap_sentence(
            run.day,
            recorded_gap_rows(gap),
            words=catalog,
            thousands="." if locale == "id" else ",",
        )
        if run and gap
        else "",
        charts={name: json.dumps(spec) for name, spec in charts.items()},
    )


def _bars(labels: list[str], values: list[int]) -> dict[str, Any]:
    """A bar chart's data for staff.js (labels and one series)."""
    return {"labels": labels, "values": values}
