"""What each field of an event's ``data`` means, and its unit: the audit feed's dictionary of
the events' own fields (a field named alike means alike in every event). A unit test reads
every event class of the ledger and fails when one has a field not described here."""

from __future__ import annotations

RUPIAH = "rupiah (whole, an integer)"
DAY = "date, YYYY-MM-DD"
MONTH = "month, YYYY-MM"
ID = "UUID"
CODE = "a code of the ledger (see docs/domain.md)"
NIK = "16 digits (personal: sealed under the data subject's key, see ledger.personal_fields)"

#: field -> (meaning, unit); an empty unit: free text.
EVENT_FIELDS: dict[str, tuple[str, str]] = {
    "_sealed": ("the event's personal fields, sealed per data subject (ledger.personal_fields): "
                "s (the subject's id), f (which fields), n (nonce) and c (AES-GCM ciphertext), "
                "both base64; they read \"[dihapus]\" once the subject is erased", "list"),
    "accident_on": ("the day of the work accident", DAY),
    "ended_by": ("what ended a work accident's temporary incapacity: recovery, permanent "
                 "disability or death", CODE),
    "ends_on": ("the last day of an STMB month", DAY),
    "function_lost_percent": ("the share of a function lost, for a partial disability paid in "
                              "proportion", "percent (integer)"),
    "loss": ("the disability table's row: the loss of function (e.g. eye_one)", CODE),
    "percent": ("a percentage the rules applied: of the wage for an STMB month, of the table "
                "for a disability", "percent (integer)"),
    "receipts": ("the receipts a reimbursement rests on: reference, issued_on (YYYY-MM-DD), "
                 "amount (rupiah), sha256 of the document", "list"),
    "started_on": ("the first day of home care, for its one-year limit", DAY),
    "starts_on": ("the first day of an STMB month", DAY),
    "wage": ("the wage band the JKK benefits are computed on", RUPIAH),
    "actor": ("who recorded the event: the API token's name or the command's --as", ""),
    "amount": ("the money of the event: a payment order's total, a payout, a booked sum, a "
               "rate", RUPIAH),
    "approved_on": ("the day the claim was approved", DAY),
    "benefit": ("the benefit claimed (jkm_death, jkk_death, city_death_grant, ...)", CODE),
    "branch": ("the BPJS Ketenagakerjaan branch office", ""),
    "branches": ("the branches a programme enrols through (none: any)", "list"),
    "budget_ceiling": ("the programme's budget ceiling (DPA)", RUPIAH),
    "cause": ("the cause of the incident, as reported", ""),
    "ceiling": ("the revised budget ceiling", RUPIAH),
    "checked_on": ("the day the population register answered", DAY),
    "child": ("a child of the deceased given a scholarship: subject_id (the child's data "
              "subject), name, nik, born_on (YYYY-MM-DD), level (tk_sd, smp, sma, university; "
              "name, nik and born_on personal, sealed under the child's key)", "object"),
    "child_subject_id": ("the data subject of the child a school year is for, or who stopped "
                         "(its name and NIK are sealed under this subject's key)", ID),
    "child_name": ("the name of the child a school year is for (personal)", ""),
    "child_nik": ("the NIK of the child a school year is for, or who stopped", NIK),
    "children": ("the children of the deceased given the scholarship (each as in child)",
                 "list"),
    "complete_on": ("the day a JKM claim's file was complete", DAY),
    "cover": ("the cover a death fell under: JKM or JKK", CODE),
    "days_late": ("how many days after the due day the payout was made", "integer"),
    "death_claim_id": ("the approved JKM or JKK death claim the scholarship comes with", ID),
    "due_on": ("the day a JKM payout is due: 3 working days after the file is complete", DAY),
    "granted_on": ("the day the scholarship was granted", DAY),
    "level": ("a school level: tk_sd, smp, sma, university", CODE),
    "levels": ("the scholarship's levels under its rule set: level, amount_per_year (rupiah), "
               "max_years", "list"),
    "membership_began_on": ("the first day of the deceased's BPJS membership, for the 3-year "
                            "condition of a JKM scholarship", DAY),
    "on": ("the day a child married or started work", DAY),
    "paid": ("the payout the late interest is counted on", RUPIAH),
    "percent_per_day": ("the late interest's rate: percent of the payout per day late",
                        "integer"),
    "school_year": ("the school year claimed, by the calendar year it starts in", "integer"),
    "why": ("why a child stopped being eligible: married or working", CODE),
    "year_at_level": ("which year at its level a school year is (1 = the first)", "integer"),
    "claim_id": ("the claim concerned", ID),
    "claimant": ("who claims: subject_id (the claimant's data subject), nik, name, "
                 "relationship, heir_certificate, bank, account_number, account_name (nik, name, "
                 "heir_certificate, account_number and account_name personal, sealed under the "
                 "claimant's key)", "object"),
    "closed_on": ("the day the programme was closed", DAY),
    "code": ("the programme's code", ""),
    "computation": ("how the entitlement was computed: steps with a label and an amount "
                    "(rupiah)", "list"),
    "contribution_id": ("the payment order (SP2D) concerned", ID),
    "covers": ("what the programme pays: JKK, JKM, CITY_GRANT", "list of codes"),
    "decile": ("the worker's welfare decile in the social register (1 = poorest)", "integer"),
    "deciles": ("the lowest and highest decile a programme enrols", "list of 2 integers"),
    "detail": ("what the reconciliation found, in words", ""),
    "died_on": ("the day of death", DAY),
    "district": ("the district (kecamatan), by its BPS code", CODE),
    "dpa_reference": ("the budget document (DPA) in force", ""),
    "ended_on": ("the last day of coverage; for a work accident's temporary incapacity, the "
                 "day it ended", DAY),
    "enrolled_on": ("the first day of coverage", DAY),
    "enrolment_id": ("the member's enrolment concerned", ID),
    "enrolment_ids": ("the members a payment order pays for", "list of UUIDs"),
    "entitlement": ("what the rules entitle the claim to", RUPIAH),
    "facts": ("the facts the rules were applied to (dates, region, decile, ...)", "object"),
    "filed_on": ("the day the claim was filed", DAY),
    "first_month": ("the programme's first month of coverage", MONTH),
    "fiscal_year": ("the budget year", "integer"),
    "funder_name": ("the city or regency that pays", ""),
    "funder_region": ("the funder's region, by its BPS code", CODE),
    "funding_source": ("where the money comes from: APBD, BTT or APBN", CODE),
    "grace_months": ("months a member stays covered after the last month paid", "integer"),
    "held_on": ("the day of the handover ceremony", DAY),
    "incident_id": ("the incident the claim is about (none for the city grant)", ID),
    "items": ("the claims shown at a ceremony: claim_id, benefit, recipient_subject_id, "
              "recipient (sealed), relationship, person_id, subject_nik (sealed), amount "
              "(rupiah), paid, claim_version", "list"),
    "kind": ("what happened (death, accident, ...), what a discrepancy is, or what a "
             "reimbursement pays for (medical_care, transport_land/sea/air, home_care)", CODE),
    "kk": ("the family card number (Kartu Keluarga)", NIK),
    "kpj": ("the BPJS Ketenagakerjaan membership number", ""),
    "ledger_amount": ("the ledger's amount for a statement line", RUPIAH),
    "ledger_date": ("the ledger's date for a statement line", DAY),
    "ledger_items": ("how many of the ledger's items the statement was matched against",
                     "integer"),
    "line": ("the statement's line number", "integer"),
    "lines": ("how many lines the statement had", "integer"),
    "list_reference": ("the BPJS exclusion list naming the person", ""),
    "matched": ("members the register matched (identity check), or statement lines matched "
                "(reconciliation)", "list of UUIDs, or an integer"),
    "month": ("the month a statement covers (YYYY-MM); in a work accident's case, which month "
              "of temporary incapacity (STMB) from the accident (1 = the first)",
              "YYYY-MM or integer"),
    "months": ("the months paid for or booked; on a programme's opening, how many months it "
               "covers", f"list of {MONTH}, or an integer"),
    "name": ("a person's name (personal) or a programme's", ""),
    "narrative": ("what happened, in the reporter's words", ""),
    "nik": ("the person's national identity number (NIK)", NIK),
    "person_id": ("the person (member, deceased) the event is about: the id of their Person and "
                  "data subject, under whose key their personal fields are sealed", ID),
    "note": ("a clerk's note", ""),
    "number": ("the discrepancy's number within its run", "integer"),
    "occasion": ("the occasion of the ceremony", ""),
    "occupation": ("the worker's informal occupation", CODE),
    "occupations": ("the occupations a programme enrols (none: any)", "list of codes"),
    "occurred_on": ("the day the incident happened", DAY),
    "officials": ("who officiated: name, role", "list"),
    "opened_on": ("the day the programme was opened", DAY),
    "paid_on": ("the day the money was paid (SP2D or transfer)", DAY),
    "paid_so_far": ("what had been paid on the claim when its approval was revoked", RUPIAH),
    "payer": ("who pays the benefit: BPJS or the city (CITY)", CODE),
    "place": ("where the incident happened", ""),
    "planned_members": ("how many members the budget was planned for", "integer"),
    "programme_code": ("the programme concerned", ""),
    "programme_id": ("the programme concerned", ID),
    "rate": ("on a payment order, the rate per member-month (rupiah); on a rate set, cover, "
             "valid_from (date) and amount (rupiah)", f"{RUPIAH}, or an object"),
    "rates": ("the contribution rates: cover, valid_from (date), amount (rupiah)", "list"),
    "reason": ("why (an end of coverage, a rejection, a reversal, a revision, ...)", ""),
    "reference": ("a transfer, payment-order, register-answer or statement reference", ""),
    "region": ("the city or regency, by its BPS code", CODE),
    "register": ("the social register the worker is in (DTKS, P3KE, ...)", CODE),
    "register_snapshot": ("the day of the register's extract", DAY),
    "registry": ("the population register that answered (Dukcapil)", ""),
    "rejected_on": ("the day the claim was rejected", DAY),
    "reversed_on": ("the day the payment was reversed", DAY),
    "revoked_on": ("the day the approval was revoked", DAY),
    "rule_version": ("the version of the benefit rules applied", ""),
    "run_on": ("the day the reconciliation ran", DAY),
    "sole_approver_reason": ("why the officer who filed the claim approved it alone", ""),
    "source": ("where a death record or a statement comes from (bpjs, bank, register, ...)",
               CODE),
    "sp2d": ("the payment order's number (Surat Perintah Pencairan Dana)", ""),
    "statement_amount": ("the statement's amount for a line", RUPIAH),
    "statement_date": ("the statement's date for a line", DAY),
    "statement_name": ("the statement file's name", ""),
    "statement_sha256": ("the SHA-256 of the statement file", "hexadecimal"),
    "subject_nik": ("the NIK of the worker the claim is about", NIK),
    "unmatched": ("members the register did not match, with its reason", "object"),
    "venue": ("where the ceremony was held", ""),
    "village": ("the village (kelurahan)", ""),
    "wage_band": ("the wage the JKK rate is a share of", RUPIAH),
    "work_related": ("whether the incident happened at work", "boolean"),
}


def event_data_fields() -> dict[str, dict[str, str]]:
    """The dictionary's ``event.data`` fields: meaning and unit of each."""
    return {name: {"meaning": meaning, **({"unit": unit} if unit else {})}
            for name, (meaning, unit) in EVENT_FIELDS.items()}
