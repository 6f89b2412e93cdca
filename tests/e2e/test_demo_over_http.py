"""The whole demo scenario recorded through HTTP only, by a client that knows the OpenAPI routes.

The demo builder talks to a ledger; here that ledger is an HTTP client, so every programme,
enrolment, payment, incident, claim, payout and ceremony of the seed scenario goes through
``/api/v1`` with the role tokens of the people who record them.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from types import SimpleNamespace
from typing import Any

from flask.testing import FlaskClient

from api.app import create_app
from ledger.claim import Claimant, Deceased
from ledger.contribution import contribution_id
from ledger.enrolment import EnrolmentRequest
from ledger.errors import LedgerError
from ledger.handover import CeremonyDetails
from ledger.incident import IncidentKind
from ledger.programme import ProgrammeTerms
from ledger.schooling import Child, SchoolLevel, SchoolYear
from seed.demo import ADMIN, APPROVER, CLERK, FINANCE, INSPECTOR, SOLE_OFFICER, DemoBuilder
from storage.settings import StoreSettings

ROLES = {ADMIN: "admin", CLERK: "clerk", APPROVER: "approver", FINANCE: "finance",
         INSPECTOR: "approver", SOLE_OFFICER: "clerk"}
#: An officer holding a second role has a second token of the same name.
SECOND_ROLES = {SOLE_OFFICER: "approver"}


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


class Refused(LedgerError):
    """A problem-details answer, carried back as the ledger error the builder expects."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body["detail"])
        self.rule = body.get("rule") or f"http-{body['status']}"


class HttpLedger:
    """The commands the demo builder uses, spoken over HTTP."""

    def __init__(self, client: FlaskClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def _call(self, actor: str, path: str, body: Any = None) -> SimpleNamespace:
        headers = {"Authorization": f"Bearer {self.tokens[actor]}"}
        response = (self.client.post(path, json=_json(body), headers=headers) if body is not None
                    else self.client.get(path, headers=headers))
        if response.status_code >= 400:
            raise Refused(response.json)
        return SimpleNamespace(**response.json)

    def open_programme(self, terms: ProgrammeTerms, actor: str) -> Any:
        body = {k: v for k, v in asdict(terms).items() if k != "extra"}
        body["rates"] = [asdict(r) for r in terms.rates]
        return self._call(actor, "/api/v1/programs", body)

    def programme(self, code: str) -> Any:
        found = self._call(ADMIN, f"/api/v1/programs/{code}")
        rates = found.rates

        def rate_for(month: str) -> int:
            day = f"{month}-01"
            total = 0
            for cover in ("JKK", "JKM"):
                valid = [r for r in rates if r["cover"] == cover and r["valid_from"] <= day]
                total += max(valid, key=lambda r: r["valid_from"])["amount"] if valid else 0
            return total

        found.rate_for = rate_for
        return found

    def enrol_batch(self, code: str, requests: list[EnrolmentRequest], actor: str) -> list[Any]:
        return [self._call(actor, "/api/v1/members", {**asdict(r), "program": code})
                for r in requests]

    def enrol(self, code: str, request: EnrolmentRequest, actor: str) -> Any:
        return self.enrol_batch(code, [request], actor)[0]

    def enrolment(self, member_id: str) -> Any:
        return self._call(ADMIN, f"/api/v1/members/{member_id}")

    def record_kpj(self, member_id: str, kpj: str, actor: str) -> Any:
        return self._call(actor, f"/api/v1/members/{member_id}/kpj", {"kpj": kpj})

    def pay_contribution(self, code: str, sp2d: str, paid_on: date, months: list[str],
                         ids: list[str], amount: int, actor: str) -> Any:
        return self._call(actor, "/api/v1/contributions", {
            "program": code, "sp2d": sp2d, "paid_on": paid_on, "months": months,
            "member_ids": [str(i) for i in ids], "amount": amount})

    def report_incident(self, member_id: str, kind: IncidentKind, on: date, place: str,
                        narrative: str, work_related: bool, actor: str,
                        cause: str = "") -> Any:
        return self._call(actor, "/api/v1/incidents", {
            "member_id": str(member_id), "kind": kind.value, "occurred_on": on, "place": place,
            "narrative": narrative, "work_related": work_related, "cause": cause})

    def file_claim(self, incident_id: str, benefit: Any, claimant: Claimant, filed_on: date,
                   actor: str, incapacity_months: int | None = None) -> Any:
        return self._call(actor, "/api/v1/claims", {
            "incident_id": incident_id, "benefit": benefit.value, "claimant": asdict(claimant),
            "filed_on": filed_on, "incapacity_months": incapacity_months})

    def file_grant_claim(self, code: str, deceased: Deceased, died_on: date, cause: str,
                         claimant: Claimant, filed_on: date, actor: str) -> Any:
        return self._call(actor, "/api/v1/claims", {
            "benefit": "city_death_grant", "program": code, "deceased": asdict(deceased),
            "died_on": died_on, "cause": cause, "claimant": asdict(claimant),
            "filed_on": filed_on})

    def approve_claim(self, claim_id: str, on: date, actor: str,
                      sole_approver_reason: str = "") -> Any:
        return self._call(f"{actor}#approver" if f"{actor}#approver" in self.tokens else actor,
                          f"/api/v1/claims/{claim_id}/approve",
                          {"approved_on": on, "sole_approver_reason": sole_approver_reason})

    def revoke_approval(self, claim_id: str, reason: str, on: date, actor: str) -> Any:
        return self._call(actor, f"/api/v1/claims/{claim_id}/revoke",
                          {"reason": reason, "revoked_on": on})

    def record_identity_check(self, code: str, reference: str, checked_on: date,
                              matched: list[str], unmatched: dict[str, str],
                              actor: str) -> Any:
        return self._call(actor, f"/api/v1/programs/{code}/identity-checks", {
            "reference": reference, "checked_on": checked_on,
            "matched": [str(m) for m in matched], "unmatched": unmatched})

    def end_coverage(self, member_id: str, ended_on: date, reason: Any, note: str,
                     actor: str) -> Any:
        return self._call(actor, f"/api/v1/members/{member_id}/end",
                          {"ended_on": ended_on, "reason": reason.value, "note": note})

    def reverse_contribution(self, code: str, sp2d: str, reversed_on: date, reason: str,
                             actor: str) -> Any:
        return self._call(actor, f"/api/v1/contributions/{contribution_id(code, sp2d)}/reverse",
                          {"reversed_on": reversed_on, "reason": reason})

    def reject_claim(self, claim_id: str, reason: str, note: str, on: date, actor: str) -> Any:
        return self._call(actor, f"/api/v1/claims/{claim_id}/reject",
                          {"reason": reason, "note": note, "rejected_on": on})

    def disburse(self, claim_id: str, reference: str, amount: int, paid_on: date,
                 actor: str) -> Any:
        return self._call(actor, f"/api/v1/claims/{claim_id}/disbursements",
                          {"reference": reference, "amount": amount, "paid_on": paid_on})

    def grant_scholarship(self, death_claim_id: str, children: list[Child], granted_on: date,
                          actor: str, membership_began_on: date | None = None) -> Any:
        return self._call(actor, "/api/v1/scholarships", {
            "death_claim_id": str(death_claim_id), "granted_on": granted_on,
            "children": [{"name": c.name, "nik": c.nik, "born_on": c.born_on,
                          "level": c.level.value if c.level else None} for c in children],
            **({"membership_began_on": membership_began_on} if membership_began_on else {})})

    def file_scholarship_year(self, scholarship_id: str, child_nik: str, level: SchoolLevel,
                              school_year: SchoolYear, proof_reference: str, proof_sha256: str,
                              claimant: Claimant, filed_on: date, actor: str) -> Any:
        return self._call(actor, f"/api/v1/scholarships/{scholarship_id}/years", {
            "child_nik": child_nik, "level": level.value, "school_year": str(school_year),
            "proof_reference": proof_reference, "proof_sha256": proof_sha256,
            "claimant": asdict(claimant), "filed_on": filed_on})

    def file_stmb_month(self, incident_id: str, month: int, claimant: Claimant, filed_on: date,
                        actor: str) -> Any:
        return self._call(actor, f"/api/v1/incidents/{incident_id}/stmb-months", {
            "month": month, "claimant": asdict(claimant), "filed_on": filed_on})

    def record_handover(self, details: CeremonyDetails, claim_ids: list[str],
                        actor: str) -> Any:
        return self._call(actor, "/api/v1/handovers", {
            **asdict(details), "officials": [asdict(o) for o in details.officials],
            "claim_ids": [str(c) for c in claim_ids]})


def test_the_whole_demo_is_recorded_through_http(sqlite_settings: StoreSettings) -> None:
    app = create_app(sqlite_settings)
    ledger = app.extensions["claims_ledger"]
    try:
        tokens = {actor: ledger.issue_token(actor, role, actor="setup")[0]
                  for actor, role in ROLES.items()}
        tokens.update({f"{actor}#{role}": ledger.issue_token(actor, role, actor="setup")[0]
                       for actor, role in SECOND_ROLES.items()})
        assert app.test_client().get("/api/v1/openapi.json").status_code == 200
        result = DemoBuilder(HttpLedger(app.test_client(), tokens)).build()  # type: ignore[arg-type]
        city = ledger.programme("TNG-2025")
        assert city.committed == city.budget_ceiling == 999_936_000
        assert len(ledger.enrolment_ids("TNG-2025")) == 5_952
        assert ledger.programme("TNG-SANTUNAN-2025").committed == 294_000_000
        # Over HTTP the clerk approving their own claim is stopped earlier than four-eyes:
        # a clerk's token has no approver role at all (403).
        assert sorted(r.rule for r in result.refusals) == [
            "http-403", "nik-already-covered", "one-death-one-benefit",
            "scholarship-not-granted"]
        ceremonies = [ledger.handover(h) for h in result.handover_ids]
        assert sorted(len(h.items) for h in ceremonies) == [4, 5]  # 3 scholarship years
        assert {h.venue for h in ceremonies} == {"GOR Nambo Jaya, Kecamatan Periuk",
                                                 "Hotel Shangri-La, Jakarta Pusat"}
        found = app.test_client().get("/api/v1/findings", query_string={"limit": 1000},
                                      headers={"Authorization": f"Bearer {tokens[ADMIN]}"}).json
        assert {item["flag"] for item in found["items"]} == set(range(1, 11))
    finally:
        ledger.close()
