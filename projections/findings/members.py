"""Red flags 1 to 3, about members and what was paid for them: paid after a recorded death or
move, never matched with the population register, paid for twice in one month."""

from __future__ import annotations

from collections import defaultdict

from ledger.identity import mask_nik
from projections.findings.facts import IdentityNotMatched, PaidAfterEnd, PaidTwice
from projections.findings.model import HIGH, MEDIUM, Finding, positions_of
from projections.findings.queries import FindingRows, PaidAfterEndRow, PaidTwiceRow


def paid_after_death_or_move(rows: FindingRows) -> list[Finding]:
    by_member: dict[str, list[PaidAfterEndRow]] = defaultdict(list)
    for row in rows.paid_after_end():
        by_member[row.enrolment_id].append(row)
    found = []
    for member, paid in by_member.items():
        first = paid[0]
        died = first.died_on is not None or first.end_reason == "died"
        when = str(first.died_on or first.ended_on)  # the query finds one or the other
        months = sorted({r.month for r in paid})
        orders = sorted({r.sp2d for r in paid})
        amount = sum(int(r.rate) for r in paid)
        found.append(Finding(
            "paid-after-death-or-move", HIGH, member, (first.programme,),
            PaidAfterEnd(mask_nik(first.nik), "died" if died else "moved", when,
                         tuple(months), tuple(orders)),
            members=(member,),
            positions=positions_of(first.ended_position, first.died_position,
                                   *(r.position for r in paid)),
            amount=amount))
    return found


def identity_not_matched(rows: FindingRows) -> list[Finding]:
    return [Finding(
        "identity-not-matched", MEDIUM, row.enrolment_id, (row.programme,),
        IdentityNotMatched(mask_nik(row.nik), row.identity or "never_checked",
                           row.identity_reason),
        members=(row.enrolment_id,),
        positions=positions_of(row.position, row.identity_position))
        for row in rows.identity_answers()]


def paid_twice_in_a_month(rows: FindingRows) -> list[Finding]:
    by_person: dict[str, list[PaidTwiceRow]] = defaultdict(list)
    for row in rows.paid_twice():
        by_person[row.person_id].append(row)
    found = []
    for person, paid in by_person.items():
        months = sorted({r.month for r in paid})
        programmes = tuple(sorted({r.programme for r in paid}))
        orders = sorted({r.sp2d for r in paid})
        extra = sum(int(r.rate) for r in paid) - sum(
            min(int(r.rate) for r in paid if r.month == m) for m in months)
        found.append(Finding(
            "paid-twice-in-a-month", HIGH, person, programmes,
            PaidTwice(mask_nik(paid[0].nik), tuple(months), tuple(orders)),
            members=tuple(sorted({r.enrolment_id for r in paid})),
            positions=positions_of(*(r.position for r in paid)), amount=extra))
    return found
