"""What a JSON answer shows of a personal number (NIK, KK, KPJ card, bank account).

The rule (README, "Personal numbers in answers", a table per route): a number is answered whole
only where the caller's job needs it whole: one enrolment or one claim read by its id (the
record a clerk, an approver or finance acts on), the lookups' enrolments (the client sent the
NIK), and the events as recorded (``/events``, the histories: an auditor checks each event's
inclusion proof over its exact bytes). Everywhere else (lists, balances, coverage, incidents,
ceremonies) it is masked as the console and the documents mask it:

- a NIK or a KK (16 digits) keeps its region and serial: ``3671********0001``
  (:func:`ledger.identity.mask_nik`);
- a bank account or a KPJ card keeps its last four digits: ``****5678`` (a bank named before
  the number stays: ``Bank BJB ****5678``).

A masked field keeps its name and its type (a string, or null where it was null), so a client
reading a list keeps its shape; the whole number is one ``GET /members/{id}`` or
``GET /claims/{id}`` away for a role that acts on the record.
"""

from __future__ import annotations

import re
from typing import Any

from ledger.identity import mask_nik

#: The trailing run of digits (with the spaces and dashes a typed account may keep).
_TRAILING_NUMBER = re.compile(r"\d[\d -]*$")


def nik(value: str | None) -> str | None:
    """A NIK or a KK number masked (``3671********0001``); None stays None."""
    return None if value is None else mask_nik(str(value))


def last_four(value: str | None) -> str | None:
    """An account or a KPJ card number by its last four digits (``****5678``); a bank named
    before the number is kept (``Bank BJB ****5678``); None and "" stay as they are."""
    if not value:
        return value
    text = str(value)
    found = _TRAILING_NUMBER.search(text)
    if found is None:
        return text
    digits = re.sub(r"\D", "", found.group())
    return f"{text[:found.start()]}****{digits[-4:]}"


def claimant(record: dict[str, Any]) -> dict[str, Any]:
    """A claim's claimant (the heir, or the member): NIK and account number masked."""
    return {**record, "nik": nik(record.get("nik")),
            "account_number": last_four(record.get("account_number"))}


def claim(view: dict[str, Any]) -> dict[str, Any]:
    """A claim as ``GET /claims`` lists it: the subject's NIK and the claimant masked."""
    return {**view, "subject_nik": nik(view.get("subject_nik")),
            "claimant": claimant(dict(view.get("claimant") or {}))}


def claim_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row of the claims read model (``GET /balances``): NIKs, KK and account masked."""
    return {**row, "subject_nik": nik(row.get("subject_nik")),
            "claimant_nik": nik(row.get("claimant_nik")), "subject_kk": nik(row.get("subject_kk")),
            "account": last_four(row.get("account"))}


def enrolment(record: dict[str, Any]) -> dict[str, Any]:
    """An enrolment (``GET /members``) or a coverage row (``GET /coverage``): NIK, KK and KPJ
    card masked (the fields it has)."""
    masked = {**record, "nik": nik(record.get("nik"))}
    if "kk" in record:
        masked["kk"] = nik(record["kk"])
    if "kpj" in record:
        masked["kpj"] = last_four(record["kpj"])
    return masked


def incident(view: dict[str, Any]) -> dict[str, Any]:
    """An incident: the member's NIK masked (its ``member_id`` names the enrolment)."""
    return {**view, "nik": nik(view.get("nik"))}


def handover_item(item: dict[str, Any]) -> dict[str, Any]:
    """A claim shown at a ceremony: the subject's NIK masked (a ceremony is public)."""
    return {**item, "subject_nik": nik(item.get("subject_nik"))}
