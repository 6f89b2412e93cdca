"""Audit findings: the ten red flags of DOMAIN.md section 7, read from the projection tables.

The ledger refuses what its rules forbid, but an audit looks for what happened anyway: payments
for members whose death or move was recorded later, claims whose contribution was reversed after
the payout, approvals revoked after the money left, an officer approving alone under a recorded
waiver, a budget line built on the wrong rate. Each finding names its red flag, rule, severity,
the members and claims concerned and the log positions of the events that prove it, so an
inspector can pull each of those events with its inclusion proof.

Every rule reads one snapshot of the tables (``Connection.snapshot``), so the findings are those
of one log position, the projection's.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.benefits import CURRENT_RULES_VERSION, Cover, rules
from ledger.calendar import add_calendar_months, add_months
from ledger.identity import mask_nik
from ledger.money import rupiah
from projections.queries import Reader

HIGH, MEDIUM, REVIEW = "high", "medium", "review"
SEVERITIES = (HIGH, MEDIUM, REVIEW)

#: An account receiving payouts for deceased of this many different families is a finding.
SHARED_ACCOUNT_FAMILIES = 3


@dataclass(frozen=True)
class Rule:
    """One check: which red flag it serves, how grave, and its title in both languages."""

    name: str
    flag: int
    severity: str
    title: str
    title_id: str


RULES = {rule.name: rule for rule in (
    Rule("paid-after-death-or-move", 1, HIGH,
         "Contributions paid after the member's recorded death or move",
         "Iuran dibayar setelah peserta tercatat meninggal atau pindah"),
    Rule("identity-not-matched", 2, MEDIUM,
         "NIK never matched to the population register",
         "NIK tidak pernah dipadankan dengan data kependudukan (Dukcapil)"),
    Rule("paid-twice-in-a-month", 3, HIGH,
         "The same NIK paid for twice in one month (two programmes or funders)",
         "NIK yang sama dibayar dua kali dalam satu bulan (dua program atau pemberi dana)"),
    Rule("death-within-90-days", 4, MEDIUM,
         "Death within 90 days of enrolment",
         "Meninggal dalam 90 hari sejak didaftarkan"),
    Rule("incident-outside-paid-coverage", 5, HIGH,
         "Claim for an incident outside a paid coverage month or before enrolment",
         "Klaim atas kejadian di luar bulan yang dibayar atau sebelum pendaftaran"),
    Rule("two-benefits-for-one-death", 6, HIGH,
         "More than one death benefit for the same death",
         "Lebih dari satu manfaat kematian untuk kematian yang sama"),
    Rule("shared-payee-account", 7, HIGH,
         "Heirs of unrelated families paid into the same bank account",
         "Ahli waris dari keluarga berbeda dibayar ke rekening yang sama"),
    Rule("handover-without-payout", 8, MEDIUM,
         "Ceremony handover without an approved claim or a recorded payout",
         "Penyerahan simbolis tanpa klaim disetujui atau tanpa pembayaran tercatat"),
    Rule("budget-not-headcount-rate-months", 9, MEDIUM,
         "Budget not equal to headcount x official rate x months",
         "Anggaran tidak sama dengan jumlah peserta x tarif resmi x bulan"),
    Rule("paid-beyond-ceiling", 9, HIGH,
         "Payments beyond the DPA ceiling",
         "Pembayaran melebihi pagu DPA"),
    Rule("payout-above-approval", 10, HIGH,
         "Payout above the approved amount",
         "Pembayaran melebihi jumlah yang disetujui"),
    Rule("approved-by-filer", 10, HIGH,
         "Claim approved by the officer who filed it",
         "Klaim disetujui oleh petugas yang mengajukannya"),
)}


@dataclass(frozen=True)
class Finding:
    """One case of one rule, with what proves it."""

    rule: str
    severity: str
    key: str
    programmes: tuple[str, ...]
    detail: str
    members: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    positions: tuple[int, ...] = ()
    amount: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def flag(self) -> int:
        return RULES[self.rule].flag

    @property
    def title(self) -> str:
        return RULES[self.rule].title

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.key}"

    def as_record(self) -> dict[str, Any]:
        return {
            "id": self.id, "flag": self.flag, "rule": self.rule, "severity": self.severity,
            "title": self.title, "title_id": RULES[self.rule].title_id,
            "programmes": list(self.programmes), "detail": self.detail,
            "members": list(self.members), "claims": list(self.claims),
            "positions": list(self.positions), "amount": self.amount, "facts": self.facts,
        }


Check = Callable[[Reader], list[Finding]]


def _number(n: int) -> str:
    """5952 -> "5.952", the Indonesian way (as rupiah amounts are written)."""
    return f"{n:,}".replace(",", ".")


def findings(reader: Reader, *, program: str | None = None, rule: str | None = None,
             severity: str | None = None) -> list[Finding]:
    """Every finding, in red-flag order, then by the first position that proves it."""
    found: list[Finding] = []
    with reader.connection.snapshot():
        for check in CHECKS:
            found.extend(check(reader))
    found = [f for f in found if (program is None or program in f.programmes)
             and (rule is None or f.rule == rule)
             and (severity is None or f.severity == severity)]
    return sorted(found, key=lambda f: (f.flag, f.rule, f.positions[:1], f.key))


def summary(found: Iterable[Finding]) -> list[dict[str, Any]]:
    """How many cases each rule has (rules with none included), in red-flag order."""
    counts: dict[str, int] = defaultdict(int)
    for finding in found:
        counts[finding.rule] += 1
    return [{"flag": r.flag, "rule": r.name, "severity": r.severity, "title": r.title,
             "title_id": r.title_id, "cases": counts[r.name]} for r in RULES.values()]


def _months(months: list[str]) -> str:
    """``["2025-07", "2025-08", "2025-09", "2025-11"]`` -> "2025-07 to 2025-09, 2025-11"."""
    runs: list[list[str]] = []
    for month in sorted(months):
        if runs and add_months(runs[-1][-1], 1) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs)


def _orders(orders: list[str]) -> str:
    """Payment orders named in full when few, else as a count with the first and the last."""
    if len(orders) <= 2:
        return " and ".join(orders)
    return f"{len(orders)} payment orders ({orders[0]} ... {orders[-1]})"


def _who(nik: str, *members: str | None) -> str:
    """A member as the documents print one: the masked NIK, which often looks like another's
    (region ... serial), and the short id of the enrolment(s) that tells them apart (and that
    'history --member' takes)."""
    ids = sorted({m[:8] for m in members if m})
    return f"NIK {mask_nik(nik)}" + (f" ({', '.join(ids)})" if ids else "")


def _positions(*values: Any) -> tuple[int, ...]:
    return tuple(sorted({int(v) for v in values if v is not None}))


# -- 1. paid after death or move ---------------------------------------------------------------

def paid_after_death_or_move(reader: Reader) -> list[Finding]:
    rows = reader._rows(
        "SELECT m.enrolment_id, m.programme, m.nik, m.end_reason, m.ended_on, m.died_on,"
        " m.ended_position, m.died_position, p.month, c.sp2d, c.rate, c.position"
        " FROM {paid} p JOIN {members} m ON m.enrolment_id = p.enrolment_id"
        " JOIN {contributions} c ON c.contribution_id = p.contribution_id"
        " WHERE (m.end_reason IN ('died', 'moved') AND p.month > substr(m.ended_on, 1, 7))"
        " OR (m.died_on IS NOT NULL AND p.month > substr(m.died_on, 1, 7))"
        " ORDER BY m.enrolment_id, p.month")
    by_member: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_member[row["enrolment_id"]].append(row)
    found = []
    for member, paid in by_member.items():
        first = paid[0]
        died = first["died_on"] is not None or first["end_reason"] == "died"
        when = first["died_on"] or first["ended_on"]
        event = "died" if died else "moved away"
        months = sorted({r["month"] for r in paid})
        orders = sorted({r["sp2d"] for r in paid})
        amount = sum(int(r["rate"]) for r in paid)
        found.append(Finding(
            "paid-after-death-or-move", HIGH, member, (first["programme"],),
            f"{_who(first['nik'], member)} {event} on {when}, yet {len(months)} later month(s) "
            f"({_months(months)}) were paid for them by {_orders(orders)}: {rupiah(amount)}",
            members=(member,),
            positions=_positions(first["ended_position"], first["died_position"],
                                 *(r["position"] for r in paid)),
            amount=amount,
            facts={"nik": mask_nik(first["nik"]), "event": "died" if died else "moved",
                   "on": when, "months": months, "sp2d": orders}))
    return found


# -- 2. identity never matched -----------------------------------------------------------------

def identity_not_matched(reader: Reader) -> list[Finding]:
    rows = reader._rows(
        "SELECT enrolment_id, programme, nik, identity, identity_reason, position,"
        " identity_position FROM {members} WHERE identity IS NULL OR identity <> 'matched'"
        " ORDER BY position")
    found = []
    for row in rows:
        if row["identity"] is None:
            why = "was never sent to the population register for matching"
        else:
            why = f"was not matched by the population register: {row['identity_reason']}"
        found.append(Finding(
            "identity-not-matched", MEDIUM, row["enrolment_id"], (row["programme"],),
            f"{_who(row['nik'], row['enrolment_id'])} {why}",
            members=(row["enrolment_id"],),
            positions=_positions(row["position"], row["identity_position"]),
            facts={"nik": mask_nik(row["nik"]), "answer": row["identity"] or "never_checked",
                   "reason": row["identity_reason"]}))
    return found


# -- 3. one NIK paid twice in a month ----------------------------------------------------------

def paid_twice_in_a_month(reader: Reader) -> list[Finding]:
    rows = reader._rows(
        "SELECT m.person_id, m.nik, m.enrolment_id, m.programme, p.month, c.sp2d, c.rate,"
        " c.position FROM {paid} p JOIN {members} m ON m.enrolment_id = p.enrolment_id"
        " JOIN {contributions} c ON c.contribution_id = p.contribution_id"
        " JOIN (SELECT m2.nik, p2.month FROM {paid} p2 JOIN {members} m2"
        "       ON m2.enrolment_id = p2.enrolment_id GROUP BY m2.nik, p2.month"
        "       HAVING count(*) > 1) twice ON twice.nik = m.nik AND twice.month = p.month"
        " ORDER BY m.nik, p.month, c.position")
    by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_person[row["person_id"]].append(row)
    found = []
    for person, paid in by_person.items():
        months = sorted({r["month"] for r in paid})
        programmes = tuple(sorted({r["programme"] for r in paid}))
        orders = sorted({r["sp2d"] for r in paid})
        extra = sum(int(r["rate"]) for r in paid) - sum(
            min(int(r["rate"]) for r in paid if r["month"] == m) for m in months)
        found.append(Finding(
            "paid-twice-in-a-month", HIGH, person, programmes,
            f"{_who(paid[0]['nik'], *(r['enrolment_id'] for r in paid))} was paid for "
            f"{_months(months)} more than once, "
            f"by {' and '.join(programmes)} ({_orders(orders)}): {rupiah(extra)} paid twice",
            members=tuple(sorted({r["enrolment_id"] for r in paid})),
            positions=_positions(*(r["position"] for r in paid)), amount=extra,
            facts={"nik": mask_nik(paid[0]["nik"]), "months": months, "sp2d": orders}))
    return found


# -- 4. death within 90 days of enrolment ------------------------------------------------------

def death_within_90_days(reader: Reader) -> list[Finding]:
    rows = reader._rows(
        "SELECT c.claim_id, c.programme, c.benefit, c.subject_nik, c.entitlement, c.position,"
        " i.occurred_on, i.position AS incident_position, m.enrolment_id, m.enrolled_on,"
        " m.position AS enrolment_position FROM {claims} c"
        " JOIN {incidents} i ON i.incident_id = c.incident_id"
        " JOIN {members} m ON m.enrolment_id = c.enrolment_id"
        " WHERE c.benefit IN ('jkm_death', 'jkk_death') AND c.status <> 'rejected'"
        " ORDER BY c.position")
    months = rules(CURRENT_RULES_VERSION).jkm_early_death_months
    found = []
    for row in rows:
        enrolled = date.fromisoformat(row["enrolled_on"])
        died = date.fromisoformat(row["occurred_on"])
        if died >= add_calendar_months(enrolled, months):
            continue
        days = (died - enrolled).days
        found.append(Finding(
            "death-within-90-days", MEDIUM, row["claim_id"], (row["programme"],),
            f"{_who(row['subject_nik'], row['enrolment_id'])} was enrolled on "
            f"{row['enrolled_on']} and died "
            f"{days} days later ({row['occurred_on']}); {row['benefit']} claim for "
            f"{rupiah(int(row['entitlement']))}",
            members=(row["enrolment_id"],), claims=(row["claim_id"],),
            positions=_positions(row["enrolment_position"], row["incident_position"],
                                 row["position"]),
            amount=int(row["entitlement"]),
            facts={"nik": mask_nik(row["subject_nik"]), "enrolled_on": row["enrolled_on"],
                   "died_on": row["occurred_on"], "days": days, "benefit": row["benefit"]}))
    return found


# -- 5. incident outside paid coverage ---------------------------------------------------------

def incident_outside_paid_coverage(reader: Reader) -> list[Finding]:
    rows = reader._rows(
        "SELECT c.claim_id, c.programme, c.benefit, c.subject_nik, c.approved, c.disbursed,"
        " c.position, i.occurred_on, i.position AS incident_position, m.enrolment_id,"
        " m.enrolled_on, m.ended_on, m.position AS enrolment_position, pr.grace_months"
        " FROM {claims} c JOIN {incidents} i ON i.incident_id = c.incident_id"
        " JOIN {members} m ON m.enrolment_id = c.enrolment_id"
        " JOIN {programmes} pr ON pr.programme = c.programme"
        " WHERE c.status <> 'rejected' ORDER BY c.position")
    paid: dict[str, set[str]] = defaultdict(set)
    reversals: dict[str, list[int]] = defaultdict(list)
    for row in reader._rows(
            "SELECT DISTINCT p.enrolment_id, p.month FROM {paid} p JOIN {claims} c"
            " ON c.enrolment_id = p.enrolment_id WHERE c.incident_id IS NOT NULL"):
        paid[row["enrolment_id"]].add(row["month"])
    for row in reader._rows(
            "SELECT months, reversed_position FROM {contributions}"
            " WHERE reversed_position IS NOT NULL"):
        for month in json.loads(row["months"]):
            reversals[month].append(int(row["reversed_position"]))
    found = []
    for row in rows:
        day = row["occurred_on"]
        month = day[:7]
        if day < row["enrolled_on"]:
            why = f"before the member was enrolled ({row['enrolled_on']})"
        else:
            window = [add_months(month, -back) for back in range(int(row["grace_months"]) + 1)]
            months_paid = paid[row["enrolment_id"]]
            if any(m in months_paid for m in window if m >= row["enrolled_on"][:7]):
                continue
            why = (f"in {month}, which is not paid (nor the {row['grace_months']} months of "
                   "grace before it)")
        found.append(Finding(
            "incident-outside-paid-coverage", HIGH, row["claim_id"], (row["programme"],),
            f"{row['benefit']} claim for {_who(row['subject_nik'], row['enrolment_id'])}: the "
            "incident on "
            f"{day} is {why}; {rupiah(int(row['disbursed']))} paid out",
            members=(row["enrolment_id"],), claims=(row["claim_id"],),
            positions=_positions(row["enrolment_position"], row["incident_position"],
                                 row["position"], *reversals.get(month, [])),
            amount=int(row["disbursed"]),
            facts={"nik": mask_nik(row["subject_nik"]), "occurred_on": day,
                   "enrolled_on": row["enrolled_on"], "benefit": row["benefit"]}))
    return found


# -- 6. two death benefits for one death -------------------------------------------------------

DEATH_BENEFITS = ("jkm_death", "jkk_death", "city_death_grant")


def two_benefits_for_one_death(reader: Reader) -> list[Finding]:
    rows = reader._rows(
        "SELECT c.claim_id, c.programme, c.benefit, c.subject_nik, c.approved, c.disbursed,"
        " c.position, c.enrolment_id FROM {claims} c JOIN (SELECT subject_nik FROM {claims}"
        "  WHERE benefit IN ('jkm_death', 'jkk_death', 'city_death_grant')"
        "  AND status <> 'rejected' GROUP BY subject_nik HAVING count(*) > 1) twice"
        " ON twice.subject_nik = c.subject_nik"
        " WHERE c.benefit IN ('jkm_death', 'jkk_death', 'city_death_grant')"
        " AND c.status <> 'rejected' ORDER BY c.subject_nik, c.position")
    by_nik: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_nik[row["subject_nik"]].append(row)
    found = []
    for nik, claims in by_nik.items():
        benefits = [c["benefit"] for c in claims]
        bpjs = [b for b in benefits if b != "city_death_grant"]
        # JKK with JKM (or one benefit twice) is forbidden; the city grant beside a BPJS
        # death benefit is not ruled either way (DOMAIN.md section 4): for review.
        severity = HIGH if len(bpjs) > 1 or benefits.count("city_death_grant") > 1 else REVIEW
        paid = sum(int(c["disbursed"]) for c in claims)
        found.append(Finding(
            "two-benefits-for-one-death", severity, claims[0]["claim_id"],
            tuple(sorted({c["programme"] for c in claims})),
            f"the death of {_who(nik, *(c['enrolment_id'] for c in claims))} has "
            f"{len(claims)} benefit claims "
            f"({' + '.join(benefits)}); {rupiah(paid)} paid in all"
            + ("" if severity == HIGH else "; the city grant beside a BPJS death benefit is "
               "not ruled either way: for review"),
            members=tuple(sorted({c["enrolment_id"] for c in claims if c["enrolment_id"]})),
            claims=tuple(c["claim_id"] for c in claims),
            positions=_positions(*(c["position"] for c in claims)), amount=paid,
            facts={"nik": mask_nik(nik), "benefits": benefits}))
    return found


# -- 7. unrelated heirs, one account -----------------------------------------------------------

def account_key(account: str) -> str:
    """A finding's key for a bank account: a short hash of bank and number, the same in every
    run, that tells accounts apart without carrying the number into ids, URLs and logs."""
    return "acct-" + hashlib.sha256(account.encode("utf-8")).hexdigest()[:12]


def shared_payee_account(reader: Reader) -> list[Finding]:
    rows = reader._rows(
        "SELECT c.claim_id, c.programme, c.account, c.claimant_nik, c.disbursed, c.position,"
        " COALESCE(c.subject_kk, m.kk) AS family, c.enrolment_id FROM {claims} c"
        " LEFT JOIN {members} m ON m.enrolment_id = c.enrolment_id"
        " WHERE c.status <> 'rejected' AND c.disbursed > 0 AND c.account IS NOT NULL"
        " ORDER BY c.account, c.position")
    payouts: dict[str, list[int]] = defaultdict(list)
    for row in reader._rows("SELECT claim_id, position FROM {payouts} WHERE reversed = 0"):
        payouts[row["claim_id"]].append(int(row["position"]))
    by_account: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_account[row["account"]].append(row)
    found = []
    for account, claims in by_account.items():
        families = {c["family"] for c in claims if c["family"]}
        if len(families) < SHARED_ACCOUNT_FAMILIES:
            continue
        bank, _, number = account.rpartition(" ")
        masked = f"{bank} ****{number[-4:]}"
        paid = sum(int(c["disbursed"]) for c in claims)
        found.append(Finding(
            "shared-payee-account", HIGH, account_key(account),
            tuple(sorted({c["programme"] for c in claims})),
            f"account {masked} received {rupiah(paid)} for {len(claims)} claims of "
            f"{len(families)} different families ({len({c['claimant_nik'] for c in claims})} "
            "different heirs)",
            members=tuple(sorted({c["enrolment_id"] for c in claims if c["enrolment_id"]})),
            claims=tuple(c["claim_id"] for c in claims),
            positions=_positions(*(c["position"] for c in claims),
                                 *(p for c in claims for p in payouts[c["claim_id"]])),
            amount=paid, facts={"account": masked, "families": len(families)}))
    return found


# -- 8. ceremony without approval or payout ----------------------------------------------------

def handover_without_payout(reader: Reader) -> list[Finding]:
    rows = reader._rows(
        "SELECT h.handover_id, h.held_on, h.venue, h.position AS handover_position,"
        " i.claim_id, i.amount, i.paid_at_ceremony, c.programme, c.status, c.approved,"
        " c.disbursed, c.position, c.approved_position, c.revoked_position, c.subject_nik,"
        " c.enrolment_id FROM {handover_items} i"
        " JOIN {handovers} h ON h.handover_id = i.handover_id"
        " JOIN {claims} c ON c.claim_id = i.claim_id"
        " WHERE i.paid_at_ceremony = 0 OR c.status <> 'approved' OR c.disbursed < c.approved"
        " ORDER BY h.position, c.position")
    first_paid: dict[str, tuple[str, int]] = {}
    for row in reader._rows("SELECT claim_id, paid_on, position FROM {payouts}"
                            " WHERE reversed = 0 ORDER BY position"):
        first_paid.setdefault(row["claim_id"], (row["paid_on"], int(row["position"])))
    found = []
    for row in rows:
        claim = row["claim_id"]
        shown = f"handed over at {row['venue']} on {row['held_on']}"
        paid_on, paid_position = first_paid.get(claim, (None, None))
        if row["status"] != "approved":
            severity, what = HIGH, f"its approval is now {row['status']}"
        elif int(row["disbursed"]) < int(row["approved"]):
            severity, what = HIGH, (f"{rupiah(int(row['approved']) - int(row['disbursed']))} "
                                    "of it is still unpaid")
        else:
            severity, what = MEDIUM, f"no payout was recorded then; it was paid on {paid_on}"
        found.append(Finding(
            "handover-without-payout", severity, f"{row['handover_id']}/{claim}",
            (row["programme"],),
            f"claim for {_who(row['subject_nik'], row['enrolment_id'])} "
            f"({rupiah(int(row['amount']))}) "
            f"{shown}: {what}",
            members=(row["enrolment_id"],) if row["enrolment_id"] else (), claims=(claim,),
            positions=_positions(row["position"], row["approved_position"],
                                 row["handover_position"], row["revoked_position"],
                                 paid_position),
            amount=int(row["amount"]),
            facts={"venue": row["venue"], "held_on": row["held_on"], "paid_on": paid_on,
                   "status": row["status"]}))
    return found


# -- 9. budget line and ceiling ----------------------------------------------------------------

def budget_checks(reader: Reader) -> list[Finding]:
    official = rules(CURRENT_RULES_VERSION)
    found = []
    for row in reader._rows("SELECT * FROM {programmes} ORDER BY position"):
        covers = json.loads(row["covers"])
        code = row["programme"]
        revisions = [int(r["position"]) for r in reader._rows(
            "SELECT position FROM {revisions} WHERE programme = ?", (code,))]
        proof = _positions(row["position"], *revisions)
        committed = int(row["paid"]) - int(row["reversed"]) + int(reader._rows(
            "SELECT COALESCE(sum(disbursed), 0) AS total FROM {claims}"
            " WHERE programme = ? AND payer = 'CITY'", (code,))[0]["total"])
        ceiling = int(row["ceiling"])
        if committed > ceiling:
            found.append(Finding(
                "paid-beyond-ceiling", HIGH, code, (code,),
                f"{code} has paid {rupiah(committed)} against a ceiling of {rupiah(ceiling)} "
                f"(DPA {row['dpa_reference']}): {rupiah(committed - ceiling)} beyond it",
                positions=proof, amount=committed - ceiling,
                facts={"committed": committed, "ceiling": ceiling}))
        pays = [c for c in covers if c in (Cover.JKK.value, Cover.JKM.value)]
        if not pays or row["planned_members"] is None:
            continue
        rate = official.official_rate(pays, int(row["wage_band"] or 1_000_000))
        headcount, months = int(row["planned_members"]), int(row["months"])
        expected = headcount * rate * months
        if ceiling == expected:
            continue
        own = reader._rows("SELECT cover, amount FROM {rates} WHERE programme = ?"
                           " ORDER BY valid_from", (code,))
        budgeted_rate = ceiling / (headcount * months) if headcount else 0
        found.append(Finding(
            "budget-not-headcount-rate-months", MEDIUM, code, (code,),
            f"{code} budgets {rupiah(ceiling)}, but {_number(headcount)} members x "
            f"{rupiah(rate)} x {months} months is {rupiah(expected)} (difference "
            f"{rupiah(abs(ceiling - expected))}; the budget works out at "
            f"{rupiah(round(budgeted_rate))} a member a month)",
            positions=proof, amount=ceiling - expected,
            facts={"ceiling": ceiling, "headcount": headcount, "official_rate": rate,
                   "months": months, "expected": expected,
                   "programme_rates": [(r["cover"], int(r["amount"])) for r in own]}))
    return found


# -- 10. payouts above approval, self-approval -------------------------------------------------

def payout_above_approval(reader: Reader) -> list[Finding]:
    rows = reader._rows(
        "SELECT claim_id, programme, benefit, subject_nik, approved, disbursed, status,"
        " position, approved_position, revoked_position, enrolment_id FROM {claims}"
        " WHERE disbursed > approved ORDER BY position")
    payouts: dict[str, list[int]] = defaultdict(list)
    for row in reader._rows("SELECT claim_id, position FROM {payouts} WHERE reversed = 0"):
        payouts[row["claim_id"]].append(int(row["position"]))
    found = []
    for row in rows:
        over = int(row["disbursed"]) - int(row["approved"])
        state = ("its approval was revoked after payment" if row["status"] == "revoked"
                 else f"approved {rupiah(int(row['approved']))}")
        found.append(Finding(
            "payout-above-approval", HIGH, row["claim_id"], (row["programme"],),
            f"{row['benefit']} claim for {_who(row['subject_nik'], row['enrolment_id'])}: "
            f"{rupiah(int(row['disbursed']))} paid, {state}; {rupiah(over)} to recover",
            members=(row["enrolment_id"],) if row["enrolment_id"] else (),
            claims=(row["claim_id"],),
            positions=_positions(row["position"], row["approved_position"],
                                 row["revoked_position"], *payouts[row["claim_id"]]),
            amount=over, facts={"status": row["status"], "to_recover": over}))
    return found


def approved_by_filer(reader: Reader) -> list[Finding]:
    rows = reader._rows(
        "SELECT claim_id, programme, benefit, subject_nik, approved, filed_by, approved_by,"
        " sole_approver_reason, position, approved_position, enrolment_id FROM {claims}"
        " WHERE approved_by IS NOT NULL AND approved_by = filed_by ORDER BY position")
    return [Finding(
        "approved-by-filer", HIGH, row["claim_id"], (row["programme"],),
        f"{row['benefit']} claim for {_who(row['subject_nik'], row['enrolment_id'])} "
        f"({rupiah(int(row['approved']))}) was filed and approved by {row['approved_by']}"
        + (f"; reason given: {row['sole_approver_reason']}" if row["sole_approver_reason"]
           else ""),
        members=(row["enrolment_id"],) if row["enrolment_id"] else (), claims=(row["claim_id"],),
        positions=_positions(row["position"], row["approved_position"]),
        amount=int(row["approved"]),
        facts={"officer": row["approved_by"], "reason": row["sole_approver_reason"]})
        for row in rows]


#: Every check; each returns the cases of its rule(s) (the budget check serves two rules).
CHECKS: tuple[Check, ...] = (
    paid_after_death_or_move, identity_not_matched, paid_twice_in_a_month,
    death_within_90_days, incident_outside_paid_coverage, two_benefits_for_one_death,
    shared_payee_account, handover_without_payout, budget_checks, payout_above_approval,
    approved_by_filer,
)
