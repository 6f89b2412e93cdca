"""A population-register match (*pemadanan data*) of a programme's members with Dukcapil.

The agency sends its roster to the civil registry; the answer names the NIKs the registry found
(with matching name and date of birth) and those it did not, with its reason. One answer is one
event. A member never matched is an audit finding (docs/domain.md section 7, red flag 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from ledger.aggregate import LedgerAggregate
from ledger.errors import IdentityCheckMembersError, InvalidInputError
from ledger.programme import Programme

IDENTITY_CHECK_NAMESPACE = uuid5(NAMESPACE_URL, "claims-ledger:identity-check")


def identity_check_id(programme_code: str, reference: str) -> UUID:
    """One registry answer is recorded once per programme: its id follows from its reference."""
    return uuid5(IDENTITY_CHECK_NAMESPACE,
                 f"{programme_code.strip().upper()}|{reference.strip()}")


def read_answer(reference: str, matched: Iterable[UUID | str],
                unmatched: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """A registry answer's form checked before anything is read: the members matched and
    those not matched with the registry's reason (as text), or the named error."""
    found = [str(m) for m in matched]
    missing = {str(k): v.strip() for k, v in unmatched.items()}
    if not reference.strip():
        raise InvalidInputError("name the registry's answer (letter or batch reference)",
                                field="reference")
    if not found and not missing:
        raise IdentityCheckMembersError("name the members the registry answered on",
                                        field="matched")
    if len(set(found)) != len(found):
        raise IdentityCheckMembersError("a member is named twice among the matched",
                                        field="matched")
    both = sorted(set(found) & set(missing))
    if both:
        raise IdentityCheckMembersError(
            f"member {both[0]} is listed as both matched and not matched", field="unmatched")
    if any(not reason for reason in missing.values()):
        raise InvalidInputError("give the registry's reason for every member not matched",
                                field="unmatched")
    return found, missing


class IdentityCheck(LedgerAggregate):
    """The registry's answer: members matched, and members not matched with the reason."""

    @classmethod
    def answer(cls, programme: Programme, *, reference: str, registry: str, checked_on: date,
               matched: list[str], unmatched: dict[str, str],
               not_enrolled: Callable[[list[str]], list[str]], actor: str) -> IdentityCheck:
        """The registry's answer of :func:`read_answer` on members of this programme
        (``not_enrolled`` reads the store for the members named that are not)."""
        strangers = not_enrolled(matched + list(unmatched))
        if strangers:
            raise IdentityCheckMembersError(
                f"{len(strangers)} of the members named are not enrolled in programme "
                f"{programme.code} (first: {strangers[0]})", field="matched")
        return cls(
            programme_id=str(programme.id), programme_code=programme.code,
            reference=reference.strip(), registry=registry.strip() or "Dukcapil",
            checked_on=checked_on, matched=matched, unmatched=unmatched, actor=actor)

    @staticmethod
    def create_id(programme_code: str, reference: str, **_: Any) -> UUID:
        return identity_check_id(programme_code, reference)

    @event("Recorded")
    def __init__(
        self,
        programme_id: str,
        programme_code: str,
        reference: str,
        registry: str,
        checked_on: date,
        matched: list[str],
        unmatched: dict[str, str],
        actor: str,
    ) -> None:
        self.programme_id = programme_id
        self.programme_code = programme_code
        self.reference = reference
        self.registry = registry
        self.checked_on = checked_on
        self.matched = list(matched)
        self.unmatched = dict(unmatched)
        self.recorded_by = actor
