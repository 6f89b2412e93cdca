"""The audit report of one programme at a cut-off: what inspectors read, and can verify.

Everything in it is read from the read side at the cut-off
(:func:`projections.read_side.open_read_side`, opened by the caller), in a stable order; its
dates are the recorded time of the event at the cut-off; its journal checkpoint is signed
there. Regenerating it from the same database and cut-off gives the same bytes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from documents import finding_text
from documents.annex_pdf import AnnexPages, block_height
from documents.chart import budget_chart
from documents.formatting import date_en, date_id, datetime_wib, number_id
from documents.labels import LABELS, SCHOOL_LEVEL, STATUS, words
from documents.render import Attached, environment, html, pdf, qr_svg
from documents.roster import annex_pages, roster_csv
from ledger.clock import WIB
from ledger.errors import NotFoundError
from ledger.identity import mask_nik
from ledger.occupations import occupation_label
from ledger.regions import district_name
from projections.findings import Finding
from projections.read_side import ReadSide
from projections.views import (
    Budget,
    ClaimBalance,
    Contribution,
    MemberGroup,
    Programme,
    RosterMember,
)

#: Claims are listed one by one up to this many; beyond it, only those still owed money.
CLAIMS_LISTED = 300
#: A red flag with more cases than this shows them as table rows rather than one box each.
FINDINGS_IN_FULL = 25


@dataclass(frozen=True)
class Report:
    """A rendered document and what an inspector checks it against."""

    content: bytes
    position: int
    attachments: tuple[Attached, ...]
    checkpoint_text: str | None


def audit_report(view: ReadSide, program: str, *, roster: bool = False, lang: str = "id"
                 ) -> Report:
    """Render the audit report of ``program`` from the read side at its cut-off."""
    words(lang)  # refuse an unknown language before any work
    context, attachments = _gather(view, program, roster, lang)
    page = html("audit.html", lang, **context)
    blocks = context["annex"]
    labels = LABELS[lang]
    # The annex's pages are drawn into the PDF by the finisher (documents.annex_pdf).
    finisher = AnnexPages(blocks, context["header_left"], context["header_right"],
                          context["footer_left"], labels["page"], labels["of"]) if blocks else None
    content = pdf(page, created=view.recorded_at, attachments=attachments, finisher=finisher)
    return Report(content, view.position, attachments,
                  view.checkpoint.to_text() if view.checkpoint else None)


def _gather(view: ReadSide, program: str, with_annex: bool, lang: str
            ) -> tuple[dict[str, Any], tuple[Attached, ...]]:
    programme = view.programme(program)
    budget = view.budget(program)
    if programme is None or budget is None:
        raise NotFoundError(f"there is no programme {program} in the ledger at position "
                            f"{view.position}", field="program")
    rows = view.roster(program)
    groups = view.member_groups(program)
    found = view.findings(program=program)
    contributions = view.contributions(program)
    claims = view.claims(program)
    attachments = _attachments(view, program, rows)
    labels = LABELS[lang]
    listed = _listed(claims)
    checkpoint_text = _checkpoint_text(view)
    niks = {r.enrolment_id: r.nik for r in rows}
    months = _months(budget, contributions)
    basis = _time_basis(view, lang)
    annex = list(annex_pages(rows, _annex_header(labels), STATUS[lang])) if with_annex else []
    context: dict[str, Any] = {
        "title": f"{labels['audit_title']} {program}" + (f", {basis[0]}" if basis else ""),
        "time_basis": basis,
        "erased_after": _erased_after(view, lang),
        "description": f"{labels['audit_title']} {program}, {labels['cut_off']} {view.position}",
        "header_left": f"{program} · {programme.name}",
        "header_right": f"{labels['cut_off']}: {number_id(view.position)} · "
                        f"{datetime_wib(view.recorded_at, lang)}",
        "footer_left": f"claims-ledger · {labels['audit_title']}",
        "programme": {**asdict(programme), "covers": _covers(programme)},
        "view": view, "checkpoint": view.checkpoint,
        "checkpoint_text": checkpoint_text, "qr": qr_svg(checkpoint_text),
        "roster_file": attachments[0],
        "summary": _summary(budget, groups, claims, found),
        "funder_programmes": _funder_programmes(view, programme),
        "budget": budget, "months": months,
        "chart": budget_chart(months, _month_label(lang), labels["chart_due"],
                              labels["chart_paid"], millions="jt" if lang == "id" else "m",
                              decimal="," if lang == "id" else "."),
        "by_district": _counts(groups, "district", _district),
        "by_occupation": _counts(groups, "occupation", occupation_label),
        "by_decile": sorted(_counts(groups, "decile", str)),
        "contributions": contributions,
        "contributions_total": sum(c.amount for c in contributions if c.reversed_on is None),
        "benefits": _by_benefit(claims), "claims": listed,
        "claims_left_out": len(claims) - len(listed),
        "ceremonies": view.ceremonies(program),
        "owed": view.obligations(program, owed_from(view)),
        "scholarship_children": view.scholarship_children(program),
        "level_word": SCHOOL_LEVEL[lang],
        "finding_groups": _grouped([_finding(f, lang, niks) for f in found]),
        "annex": annex,
        "annex_height": block_height(annex[0].count("\n") + 1) if annex else 0,
        "members_total": len(rows),
    }
    return context, attachments


def programme_figures(view: ReadSide, program: str, lang: str = "id") -> dict[str, Any] | None:
    """A programme's figures as the audit report prints them (summary, months with their SP2D
    numbers, the chart's SVG, enrolment by district, occupation and decile, claims by benefit),
    for a screen that must show the same numbers; None when there is no such programme."""
    programme = view.programme(program)
    budget = view.budget(program)
    if programme is None or budget is None:
        return None
    groups = view.member_groups(program)
    claims = view.claims(program)
    labels = LABELS[lang]
    months = _months(budget, view.contributions(program))
    return {
        "programme": programme, "budget": budget, "months": months,
        "summary": _summary(budget, groups, claims, view.findings(program=program)),
        "chart": budget_chart(months, _month_label(lang), labels["chart_due"],
                              labels["chart_paid"], millions="jt" if lang == "id" else "m",
                              decimal="," if lang == "id" else "."),
        "by_district": _counts(groups, "district", _district),
        "by_occupation": _counts(groups, "occupation", occupation_label),
        "by_decile": sorted(_counts(groups, "decile", str)),
        "benefits": _by_benefit(claims),
        "owed": view.obligations(program, owed_from(view)),
    }


def owed_from(view: ReadSide) -> date:
    """The day what is owed is counted from: the day the report is cut at, else the day (WIB)
    the event at the cut-off was recorded."""
    return view.covered_on or view.as_of or view.recorded_at.astimezone(WIB).date()


def _time_basis(view: ReadSide, lang: str) -> tuple[str, str] | None:
    """Which time the report was cut at, in words (``"berlaku per 1 Juli 2025"``) and what
    that means: recorded ("as the ledger knew it on") or effective ("covered on"); None for a
    report of everything recorded so far, or of a log position."""
    labels = LABELS[lang]
    show = date_id if lang == "id" else date_en
    if view.covered_on is not None:
        return f"{labels['covered_on']} {show(view.covered_on)}", labels["covered_on_note"]
    if view.as_of is not None:
        return f"{labels['known_on']} {show(view.as_of)}", labels["known_on_note"]
    return None


def _erased_after(view: ReadSide, lang: str) -> str | None:
    """The cover's note on erasures recorded after the cut-off (UU 27/2022): how many people's
    personal fields were erased since, and on which days; None when there were none."""
    days = sorted(set(erased := view.erased_after()))
    if not erased:
        return None
    show = date_id if lang == "id" else date_en
    listed = ", ".join(show(day) for day in days)
    return LABELS[lang]["erased_after"].format(count=len(erased), days=listed)


def _covers(programme: Programme) -> str:
    return " + ".join(c.upper() for c in programme.covers)


def _checkpoint_text(view: ReadSide) -> str:
    if view.checkpoint is not None:
        return view.checkpoint.to_text()
    return (f"claims-ledger head v1\nsize {view.head.size}\nroot {view.head.root.hex()}\n"
            f"time {view.recorded_at.replace(microsecond=0).isoformat()}\nunsigned\n")


def _attachments(view: ReadSide, program: str, rows: Sequence[RosterMember]
                 ) -> tuple[Attached, ...]:
    files = [Attached(f"daftar-peserta-{program}-posisi-{view.position}.csv", roster_csv(rows),
                      f"Daftar peserta {program} pada posisi log {view.position} (NIK lengkap, "
                      "untuk pemadanan data)")]
    if view.checkpoint is not None:
        files.append(Attached(f"checkpoint-{view.position}.txt",
                              view.checkpoint.to_text().encode(),
                              "Checkpoint jurnal bertanda tangan (claims-ledger verify "
                              "--checkpoint)"))
    return tuple(files)


def _summary(budget: Budget, groups: Sequence[MemberGroup], claims: Sequence[ClaimBalance],
             found: list[Finding]) -> dict[str, Any]:
    counted = [c for c in claims if c.status != "rejected"]
    return {
        "enrolled": sum(g.members for g in groups),
        "active": sum(g.members for g in groups if g.status == "active"),
        "ceiling": budget.ceiling, "committed": budget.committed,
        "remaining": budget.remaining, "revisions": len(budget.revisions),
        "contributions": budget.paid - budget.reversed,
        "city_payouts": budget.city_payouts,
        "claims": len(counted),
        "paid_out": sum(c.disbursed for c in counted),
        "outstanding": sum(max(0, c.outstanding) for c in counted),
        "findings": len(found),
    }


def _funder_programmes(view: ReadSide, programme: Programme) -> list[dict[str, Any]]:
    """The funder's programmes side by side (the same budget seen whole)."""
    listed = []
    for other in view.programmes():
        budget = view.budget(other.programme)
        if other.funder_name != programme.funder_name or budget is None:
            continue
        listed.append({"programme": other.programme, "name": other.name,
                       "funding_source": other.funding_source,
                       "ceiling": budget.ceiling, "committed": budget.committed,
                       "members": budget.members,
                       "this": other.programme == programme.programme})
    return listed


def _months(budget: Budget, contributions: Sequence[Contribution]) -> list[dict[str, Any]]:
    orders: dict[str, list[str]] = defaultdict(list)
    for contribution in contributions:
        if contribution.reversed_on is None:
            for month in contribution.months:
                orders[month].append(contribution.sp2d)
    return [{**asdict(month), "orders": orders.get(month.month, [])} for month in budget.months]


def _month_label(lang: str) -> Any:
    return environment(lang).filters["month"]


def _counts(groups: Sequence[MemberGroup], key: str, name: Callable[[str], str]
            ) -> list[tuple[str, int]]:
    """How many members per value of ``key`` (named for readers), largest first."""
    counts: dict[str, int] = defaultdict(int)
    for group in groups:
        value = getattr(group, key)
        counts[name(str(value)) if value is not None else "-"] += group.members
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _district(code: str) -> str:
    found = district_name(code)
    return f"{found} ({code})" if found else code


def _by_benefit(claims: Sequence[ClaimBalance]) -> list[dict[str, Any]]:
    totals: dict[str, dict[str, Any]] = {}
    for claim in claims:
        if claim.status == "rejected":
            continue
        row = totals.setdefault(claim.benefit, {
            "benefit": claim.benefit, "payer": claim.payer, "claims": 0,
            "entitlement": 0, "approved": 0, "disbursed": 0, "outstanding": 0})
        row["claims"] += 1
        row["entitlement"] += claim.entitlement
        row["approved"] += claim.approved
        row["disbursed"] += claim.disbursed
        row["outstanding"] += claim.outstanding
    return sorted(totals.values(), key=lambda r: r["benefit"])


def _listed(claims: list[ClaimBalance]) -> list[ClaimBalance]:
    if len(claims) <= CLAIMS_LISTED:
        return claims
    return [c for c in claims if c.outstanding != 0][:CLAIMS_LISTED]


def _finding(finding: Finding, lang: str, niks: dict[str, str]) -> dict[str, Any]:
    # Masked NIKs often look alike (region ... serial); the enrolment's short id tells them apart.
    members = [f"{mask_nik(niks[m])} ({m[:8]})" if m in niks else m[:8] for m in finding.members]
    return {
        "flag": finding.flag, "rule": finding.rule, "severity": finding.severity,
        "title": finding_text.title(finding, lang), "detail": finding_text.detail(finding, lang),
        "members": members, "claims": [c[:8] for c in finding.claims],
        "positions": list(finding.positions), "amount": finding.amount,
        "programmes": list(finding.programmes),
    }


def _grouped(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings by red flag, in order; a flag with many cases is set as a compact table."""
    groups: dict[str, dict[str, Any]] = {}
    for case in cases:
        group = groups.setdefault(case["rule"], {
            "flag": case["flag"], "rule": case["rule"], "title": case["title"],
            "severity": case["severity"], "cases": []})
        group["cases"].append(case)
    for group in groups.values():
        group["compact"] = len(group["cases"]) > FINDINGS_IN_FULL
    return list(groups.values())


def _annex_header(labels: dict[str, str]) -> tuple[str, ...]:
    return ("No", labels["nik"], "ID", labels["name"], labels["district"], "Kelurahan",
            labels["occupation"], "D", labels["enrolled_on"], labels["status"],
            labels["months_paid_short"])
