"""Reconciliation runs: start one for a day (in the background, progress in the database)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from prakerja.accounts import service as accounts
from prakerja.audit.service import acting_as
from prakerja.kit.errors import PrakerjaError
from prakerja.reporting.staff import latest_day, recent_runs
from prakerja.reporting.staff_figures import overview_figures
from prakerja.storage.db import session_factory, unit_of_work
from prakerja.web.auth import DbSession, RunReconciliation, ViewRuns
from prakerja.web.staff.render import chosen_day, render

router = APIRouter(include_in_schema=False)
JOB_KIND = "reconcile"


class JobReporter:
    """A progress reporter that writes each phase and count to the job's row.

    On SQLite the run's own transaction holds the only write lock, so progress
    is not written there (the page shows the phase once the run ends).
    """

    def __init__(self, engine: Engine, job_id: int) -> None:
        self._engine = engine
        self._live = engine.dialect.name != "sqlite"
        self._job_id = job_id
        self._phase = ""
        self._done = 0
        self._total = 0

    def _save(self) -> None:
        if not self._live:
            return
        with unit_of_work(self._engine) as session:
            accounts.job_progress(
                session, self._job_id, step=self._phase, done=self._done, total=self._total
            )

    def start(self, phase: str, total: int) -> None:
        """Begin a phase."""
        self._phase, self._done, self._total = phase, 0, total
        self._save()

    def advance(self, units: int) -> None:
        """Count progress in the phase."""
        self._done += units
        self._save()

    def note(self, message: str) -> None:
        """Notes are not shown on the page."""


def _run(engine: Engine, job_id: int, day: dt.date, actor: str) -> None:
    """Reconcile `day` as `actor` and record the outcome on the job (in a worker thread)."""
    from prakerja.operations.signals import record_signals
    from prakerja.operations.timeline import advance_to
    from prakerja.reconciliation.service import reconcile

    try:
        with acting_as(actor), unit_of_work(engine) as session:
            advance_to(session, day=day)
            summary = reconcile(session, day=day, actor=actor, reporter=JobReporter(engine, job_id))
            record_signals(session, summary)
        with unit_of_work(engine) as session:
            overview_figures(session, day)  # ready for the overview's next visitor
    except PrakerjaError as refused:
        _fail(engine, job_id, refused.message)
        return
    except Exception as broken:  # a failed run is shown on its page, not lost in a thread
        _fail(engine, job_id, f"{type(broken).__name__}: {broken}".splitlines()[0])
        return
    found = {
        "opened": summary.opened,
        "resolved": summary.resolved,
        "open_after": summary.open_after,
    }
    with unit_of_work(engine) as session:
        accounts.finish_job(session, job_id, failed=False, details=found)


def _fail(engine: Engine, job_id: int, message: str) -> None:
    with unit_of_work(engine) as session:
        accounts.finish_job(session, job_id, failed=True, message=message)


@router.get("/runs", response_class=HTMLResponse)
def runs_page(
    request: Request,
    *,
    session: DbSession,
    staff: ViewRuns,
) -> HTMLResponse:
    """Past runs and jobs, and (for operators) a form to run a day."""
    latest = latest_day(session)
    suggested = (latest + dt.timedelta(days=1)) if latest else None
    return render(
        request,
        "staff/runs.html",
        staff,
        runs=recent_runs(session),
        jobs=accounts.recent_jobs(session, kind=JOB_KIND, limit=10),
        suggested=chosen_day(None, suggested),
    )


@router.post("/runs")
def start_run(
    request: Request,
    *,
    session: DbSession,
    date: Annotated[str, Form(max_length=20)] = "",
    staff: RunReconciliation,
) -> Response:
    """Start reconciling a day in the background; go to its progress."""
    day = chosen_day(date, None)
    job = accounts.start_job(session, kind=JOB_KIND, day=day, actor=staff.username)
    session.commit()
    engine = request.app.state.engine
    threading.Thread(target=_run, args=(engine, job.id, day, staff.username), daemon=True).start()
    return RedirectResponse(f"/runs/jobs/{job.id}", status_code=303)


@router.get("/runs/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    request: Request,
    *,
    job_id: int,
    staff: ViewRuns,
) -> HTMLResponse:
    """A job's progress; htmx asks again every second until it is done (the fragment only)."""
    with session_factory(request.app.state.engine)() as session:
        job = accounts.job(session, job_id)
    if job is None:
        return render(request, "staff/missing.html", staff, status_code=404)
    fragment = request.headers.get("hx-request") == "true"
    template = "staff/_job.html" if fragment else "staff/job.html"
    return render(request, template, staff, job=job)
