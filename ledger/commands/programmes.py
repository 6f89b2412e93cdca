"""Programmes: a funder's programme opened with its terms, its budget and rates revised, closed."""

from __future__ import annotations

from datetime import date

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from ledger.commands.base import Commands
from ledger.errors import ProgrammeExistsError
from ledger.programme import Programme, ProgrammeTerms, Rate


class ProgrammeCommands(Commands):
    """Opening, revising and closing programmes."""

    def open_programme(self, terms: ProgrammeTerms, actor: str) -> Programme:
        """Open a funder's programme; its code is unique in the ledger. Terms without rates get
        the official ones (:meth:`~ledger.programme.Programme.open`)."""

        def build() -> tuple[Programme, list[Aggregate]]:
            programme = Programme.open(terms, actor)
            return programme, [programme]

        try:
            # Not retried: the only conflict is the code, taken.
            return self._command(build, retry=False)
        except IntegrityError:
            raise ProgrammeExistsError(
                f"a programme with code {terms.code.strip().upper()} already exists",
                field="code") from None

    def revise_budget(self, code: str, ceiling: int, dpa_reference: str, reason: str,
                      actor: str, expected_version: int | None = None) -> Programme:
        """A new budget ceiling under a (revised) DPA, with the reason."""
        return self._update(
            lambda: self.programme(code),
            lambda programme: programme.revise_budget(ceiling, dpa_reference, reason, actor),
            expected_version)

    def set_rate(self, code: str, rate: Rate, actor: str,
                 expected_version: int | None = None) -> Programme:
        """A contribution rate from a month on."""
        return self._update(lambda: self.programme(code),
                            lambda programme: programme.set_rate(rate, actor), expected_version)

    def close_programme(self, code: str, closed_on: date, reason: str, actor: str,
                        expected_version: int | None = None) -> Programme:
        """Close a programme: no more enrolments or payments."""
        return self._update(lambda: self.programme(code),
                            lambda programme: programme.close(closed_on, reason, actor),
                            expected_version)
