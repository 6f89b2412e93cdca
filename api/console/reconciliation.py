"""The reconciliation pages: upload a BPJS or bank statement, see each run's matched and
discrepant lines and the age of the open discrepancies, resolve one with a reason, download the
reconciliation PDF.

An upload goes through :func:`api.statements.reconcile_statement`, the path of ``claims-ledger
import statement``; resolving goes through :func:`ledger.reconciliation.resolve`, as ``POST
/api/v1/reconciliation/RUN/discrepancies/N/resolve`` does, and only finance sees (or may use)
either form. Runs are read from the reconciliation read model as ``GET
/api/v1/reconciliation`` reads them, as the typed rows the PDF is rendered from.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from uuid import UUID

from flask import g, redirect, request, url_for
from jinja2_fragments.flask import render_block
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response

from api.console.access import SECTION_BY_KEY, PageError, current_visitor, may, section_page
from api.console.blueprint import bp
from api.console.claims import htmx_page, page_filters, today
from api.console.money_words import money_words
from api.console.own_writes import remember_write
from api.console.render import page_context, render_page
from api.console.state import console_state
from api.state import ledger, projector, read_connection, reader
from api.statements import reconcile_statement
from documents.formatting import number_id
from documents.reconciliation import reconciliation_pdf
from ledger.calendar import parse_month
from ledger.errors import LedgerError
from ledger.reconciliation import SOURCES, resolve
from projections.reconciliation import ReconciliationReader
from projections.views import Discrepancy, ReconciliationRun

SECTION = SECTION_BY_KEY["reconciliation"]
#: The ageing buckets of open discrepancies: (key, fewest days, most days or None).
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("age_0_1", 0, 1), ("age_2_7", 2, 7), ("age_8_30", 8, 30), ("age_over_30", 31, None))
RESOLVE = ("reconciliation.resolve_discrepancy", "POST")


@dataclass(frozen=True)
class Bucket:
    """How many open discrepancies are this old, and the rupiah they concern."""

    key: str
    count: int
    amount: int


def bucket_of(age_days: int) -> str:
    """The ageing bucket of a discrepancy ``age_days`` old."""
    for key, low, high in BUCKETS:
        if age_days >= low and (high is None or age_days <= high):
            return key
    return BUCKETS[0][0]  # found "in the future" (a clock behind the run): the youngest


def ageing(runs: list[ReconciliationRun], on: date) -> list[Bucket]:
    """The open discrepancies of ``runs`` by age on ``on`` (from the day of their run)."""
    counts = {key: [0, 0] for key, _, _ in BUCKETS}
    for run in runs:
        age = (on - date.fromisoformat(run.run_on[:10])).days
        for item in run.items:
            if item.status == "open":
                found = counts[bucket_of(age)]
                found[0] += 1
                found[1] += discrepancy_amount(item)
    return [Bucket(key, count, amount) for key, (count, amount) in counts.items()]


def discrepancy_amount(item: Discrepancy) -> int:
    """The rupiah a discrepancy concerns: the difference, or the one amount there is."""
    statement, recorded = item.statement_amount, item.ledger_amount
    if statement is not None and recorded is not None:
        return abs(statement - recorded)
    return abs(statement if statement is not None else (recorded or 0))


def read_runs(run_id: str | None = None, program: str | None = None
              ) -> list[ReconciliationRun]:
    """The runs as the API reads them (projections caught up first), newest first."""
    worker = projector()
    worker.catch_up()  # show what was just recorded (safe beside a running worker)
    reader = ReconciliationReader(read_connection(), worker.live)
    return [ReconciliationRun.of(row) for row in reader.runs(run_id=run_id, program=program)]


@bp.route("/reconciliation")
@section_page(SECTION)
def reconciliation() -> Response:
    """The runs, the ageing of open discrepancies, and (for finance) the forms."""
    filters, choices = page_filters()
    t = money_words()["t"]
    show_all = request.args.get("show") == "all"
    # A run reconciles a statement of a programme and month: a district cannot divide it
    # (said on the page).
    g.honoured = ("programme", "period", "funder")
    funded = {p["programme"] for p in reader().programmes()
              if p.get("funder_region") == filters.funder} if filters.funder else set()
    runs = [run for run in read_runs(program=filters.programme)
            if (not filters.period or (run.month or run.run_on).startswith(filters.period))
            and (not filters.funder or run.programme in funded)]
    on = today(console_state().now())
    highlight = request.args.get("run")
    shown = next((run for run in runs if run.run_id == highlight), None)
    notice = None
    if shown is not None and request.args.get("recorded") in ("new", "again"):
        notice = t["recon_done" if request.args["recorded"] == "new" else "recon_again"].format(
            matched=number_id(shown.matched), discrepancies=number_id(shown.discrepancies))
    body, code = render_page(
        "console/reconciliation.html", section=SECTION, choices=choices, filters=filters,
        runs=runs, buckets=ageing(runs, on),
        on=on, show_all=show_all, may_resolve=may(*RESOLVE), sources=SOURCES,
        notice=notice, highlight=highlight,
        **money_words())
    return htmx_page(body, code, request.path + filters.query())


@bp.route("/reconciliation/report.pdf")
@section_page(SECTION)
def report() -> Response:
    """The reconciliation report of every run (the same PDF as the command line writes)."""
    document = reconciliation_pdf(read_runs())
    return Response(document, mimetype="application/pdf", headers={
        "Content-Disposition": 'attachment; filename="rekonsiliasi.pdf"'})


def _finance_only() -> None:
    if not may(*RESOLVE):
        t = money_words()["t"]
        from api.console.access import api_roles
        from api.console.render import role_name, roles_in_words

        raise PageError(403, t["forbidden"].format(
            role_name=role_name(current_visitor().role), page=t["recon_upload"],
            roles=roles_in_words(api_roles(*RESOLVE))))


@bp.route("/reconciliation/upload", methods=["POST"])
@section_page(SECTION)
def upload() -> Response:
    """Reconcile an uploaded statement and record the run (finance)."""
    _finance_only()
    t = money_words()["t"]
    sent = request.files.get("statement")
    if sent is None or not sent.filename:
        raise PageError(400, t["recon_no_file"])
    source = request.form.get("source", "")
    program = (request.form.get("programme") or "").strip().upper() or None
    month = (request.form.get("month") or "").strip() or None
    name = secure_filename(sent.filename) or "statement.csv"
    try:
        scope_month = parse_month(month) if month else None
        if source not in SOURCES:
            raise PageError(400, t["recon_refused"].format(why=t["recon_source"]))
        with tempfile.TemporaryDirectory(prefix="statement-") as folder:
            path = Path(folder) / name
            sent.save(path)
            worker = projector()
            worker.catch_up()  # the recorded money it is matched with
            run, new = reconcile_statement(
                ledger(), ReconciliationReader(worker.connection, worker.live), path,
                source=source, program=program, month=scope_month, statement_name=name,
                run_on=today(console_state().now()), actor=current_visitor().name)
    except LedgerError as refused:
        raise PageError(400, t["recon_refused"].format(why=str(refused))) from None
    remember_write()
    return redirect(url_for("console.reconciliation", run=str(run.id),
                            recorded="new" if new else "again"), code=303)


@bp.route("/reconciliation/<uuid:run_id>/<int:number>/resolve", methods=["POST"])
@section_page(SECTION)
def resolve_one(run_id: UUID, number: int) -> Response:
    """Resolve one discrepancy with the reason (finance), as the API's route does."""
    _finance_only()
    t = money_words()["t"]
    reason = (request.form.get("reason") or "").strip()[:500]
    if not reason:
        raise PageError(400, t["recon_reason_missing"])
    try:
        resolve(ledger(), run_id, number, reason, current_visitor().name)
    except LedgerError as refused:
        raise PageError(409, t["recon_refused"].format(why=str(refused))) from None
    remember_write()
    if request.headers.get("HX-Request") != "true":
        return redirect(url_for("console.reconciliation", run=str(run_id)), code=303)
    [run] = read_runs(str(run_id))
    [item] = [i for i in run.items if i.number == number]
    g.filters = None
    body = render_block("console/_discrepancy.html", "state", **{
        **page_context(), **money_words(), "run": run, "item": item, "may_resolve": True})
    return Response(body, status=200, mimetype="text/html")
