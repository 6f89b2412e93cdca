"""A small TNG-2025 recorded on its story dates (the audit feed's tests): opened in January
beside the city's death-grant programme, three workers enrolled in March, matched by Dukcapil
and paid in April, a death in August paid as JKM (Rp42.000.000), the living paid again in
September. Rates from docs/domain.md: JKK Rp10.000 + JKM Rp6.800 = Rp16.800 a member-month."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time

from ledger.application import Ledger
from ledger.benefits import Benefit
from ledger.calendar import month_range
from ledger.clock import WIB, ScriptedClock
from ledger.enrolment import Enrolment
from scenario import CLERK, RATE, Year, factory, grant_terms, heir, tangerang_terms

MONTHS = month_range("2025-03", 10)
TEAM = 3
#: What SP2D/1 paid: three members, March to August.
FIRST_PAYMENT = TEAM * RATE * 6  # Rp302.400
#: What SP2D/2 paid: the two living members, September to December.
SECOND_PAYMENT = (TEAM - 1) * RATE * 4  # Rp134.400
JKM_DEATH = 42_000_000


@dataclass
class Story:
    ledger: Ledger
    clock: ScriptedClock
    members: list[Enrolment]

    @contextmanager
    def at(self, day: date) -> Iterator[None]:
        """Record on ``day`` (WIB office hours) with the story's clock, then the real one."""
        self.clock.office(day)
        real, self.ledger.clock = self.ledger.clock, self.clock
        try:
            yield
        finally:
            self.ledger.clock = real

    def pay_the_living(self) -> None:
        """September: SP2D/2 for the two living members (more events after a cut-off)."""
        with self.at(date(2025, 9, 10)):
            Year(self.ledger, self.members).pay("SP2D/2", MONTHS[6:], self.members[1:])


def record_story(ledger: Ledger) -> Story:
    """Record the story up to the paid death claim (August 2025)."""
    clock = ScriptedClock(datetime.combine(date(2025, 1, 2), time(9), WIB))
    story = Story(ledger, clock, [])
    with story.at(date(2025, 1, 2)):
        ledger.open_programme(tangerang_terms(budget_ceiling=TEAM * RATE * 10,
                                              planned_members=TEAM), actor="admin")
        ledger.open_programme(grant_terms(), actor="admin")
    with story.at(date(2025, 3, 24)):
        story.members = [ledger.enrol("TNG-2025", w, actor=CLERK)
                         for w in factory().workers(TEAM, date(2025, 3, 24))]
    year = Year(ledger, story.members)
    with story.at(date(2025, 4, 2)):
        ledger.record_identity_check("TNG-2025", "Dukcapil 470/118/2025", date(2025, 4, 2),
                                     [m.id for m in story.members], {}, actor=CLERK)
    with story.at(date(2025, 4, 10)):
        year.pay("SP2D/1", MONTHS[:6])
    with story.at(date(2025, 8, 21)):
        death = year.death(story.members[0], date(2025, 8, 20))
    with story.at(date(2025, 8, 25)):
        year.paid_claim(death, Benefit.JKM_DEATH, heir())
    return story
