"""/programs: a funder's programme, its budget revisions, rates and closing."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth import BEARER, READERS, current_actor, requires
from api.fields import (
    MONTH,
    Page,
    PageQuery,
    Rupiah,
    StrictSchema,
    Written,
    bounded,
    pattern,
    text,
)
from api.resources.common import if_match, listed, page, read, written
from api.resources.projections import Fresh, fresh_list
from api.state import ledger, reader
from ledger.benefits import Cover
from ledger.limits import (
    DEFAULT_RETENTION_YEARS,
    FIRST_FISCAL_YEAR,
    LAST_FISCAL_YEAR,
    MAX_GRACE_MONTHS,
    MAX_MEMBERS,
    MAX_PROGRAMME_MONTHS,
    MAX_RATE,
    MAX_RETENTION_YEARS,
    MAX_WAGE_BAND,
)
from ledger.programme import FUNDING_SOURCES, Programme, ProgrammeTerms, Rate
from projections import lists

blp = Blueprint("programs", __name__, url_prefix="/api/v1/programs",
                description="Programmes of a funder: budget, rates, eligibility, period")


class RateIn(StrictSchema):
    cover = fields.String(required=True, validate=validate.OneOf(["JKK", "JKM"]))
    valid_from = fields.Date(required=True)
    amount = Rupiah(required=True, what="a contribution rate", maximum=MAX_RATE)


class ProgrammeIn(StrictSchema):
    """A programme's terms. The same keys make the TOML file of ``claims-ledger programme
    create --file``; the defaults below are the ledger's (``ledger.programme.ProgrammeTerms``)."""

    code = pattern(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$", "TNG-2025", required=True,
                   description="Unique code of the programme (stored upper-case).")
    name = text(200, min_length=1, required=True,
                metadata={"example": "Perlindungan Pekerja Rentan 2025"})
    funder_name = text(200, min_length=1, required=True,
                       metadata={"example": "Pemerintah Kota Tangerang"})
    funder_region = pattern(r"^\d{2}\.\d{2}$", "36.71", required=True,
                            description="Kemendagri code of the funding city or regency; "
                                        "members must live there.")
    funding_source = fields.String(required=True, validate=validate.OneOf(FUNDING_SOURCES),
                                   metadata={"example": "APBD"})
    fiscal_year = bounded(FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR, "the fiscal year",
                          required=True, metadata={"example": 2025})
    covers = fields.List(fields.String(validate=validate.OneOf([c.value for c in Cover])),
                         required=True, validate=validate.Length(min=1, max=3),
                         metadata={"description": "JKK and/or JKM (contributions paid to BPJS), "
                                                  "and/or CITY_GRANT (the city's own death "
                                                  "grant).", "example": ["JKK", "JKM"]})
    budget_ceiling = Rupiah(required=True, what="the budget ceiling", example=999_936_000,
                            description="The DPA ceiling: contributions and city grant payouts "
                                        "never go beyond it")
    dpa_reference = text(100, required=True, metadata={"example": "DPA-DINSOS-2025-5.02"})
    first_month = pattern(MONTH, "2025-03", required=True,
                          description="First month of cover (YYYY-MM), in fiscal_year.")
    months = bounded(1, MAX_PROGRAMME_MONTHS, "the programme's months", required=True,
                     metadata={"description": "How many months of cover.", "example": 10})
    rates = fields.List(fields.Nested(RateIn), load_default=list, metadata={
        "description": "Dated contribution rates per member per month. Omitted or empty: the "
                       "official rates for each of JKK and JKM the programme covers, from the "
                       "first day of first_month: JKK 1% of wage_band (Rp10.000 at the "
                       "Rp1.000.000 band), JKM Rp6.800."})
    wage_band = Rupiah(load_default=1_000_000, minimum=1, maximum=MAX_WAGE_BAND,
                       what="the wage band", example=1_000_000,
                       description="The monthly wage band the JKK rate and JKK benefits are "
                                   "computed on; default 1000000")
    branches = fields.List(text(100), load_default=list, metadata={
        "description": "BPJS branches serving the programme; an enrolment must name one of "
                       "them. Empty (the default): any branch.", "example": ["Cimone"]})
    deciles = fields.List(fields.Integer(validate=validate.Range(min=1, max=10)),
                          load_default=lambda: [1, 4], validate=validate.Length(equal=2),
                          metadata={"description": "The welfare deciles covered, [lowest, "
                                                   "highest]; default [1, 4].",
                                    "example": [1, 4]})
    occupations = fields.List(text(60), load_default=list, metadata={
        "description": "Occupation codes the programme covers (e.g. ojek, juru_parkir, "
                       "pedagang_kaki_lima). Empty (the default): no restriction, a worker of "
                       "any occupation is enrolled.", "example": ["ojek", "juru_parkir"]})
    grace_months = bounded(0, MAX_GRACE_MONTHS, "the grace months", load_default=3,
                           metadata={"description": "Months a member stays covered after the "
                                                    "last paid month; default 3."})
    planned_members = bounded(0, MAX_MEMBERS, "the planned members", load_default=None,
                              allow_none=True, metadata={
                                  "description": "Planned headcount: the audit checks the "
                                                 "ceiling against headcount x official rate x "
                                                 "months. None (the default): not checked.",
                                  "example": 5952})
    opened_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "Default: 1 January of fiscal_year."})
    retention_years = bounded(1, MAX_RETENTION_YEARS, "the retention period in years",
                              load_default=DEFAULT_RETENTION_YEARS, metadata={
                                  "description": "Years a person's personal data is kept after "
                                                 "their coverage ends; after it the person may "
                                                 "ask for it to be erased. Default 10 (regional "
                                                 "financial records).", "example": 10})


def terms_from_body(body: dict[str, Any]) -> ProgrammeTerms:
    """The programme's terms from a loaded ``ProgrammeIn`` (the route's body or the command
    line's TOML file and flags: one way in)."""
    return ProgrammeTerms(
        code=body["code"], name=body["name"], funder_name=body["funder_name"],
        funder_region=body["funder_region"], funding_source=body["funding_source"],
        fiscal_year=body["fiscal_year"], covers=tuple(body["covers"]),
        budget_ceiling=body["budget_ceiling"], dpa_reference=body["dpa_reference"],
        first_month=body["first_month"], months=body["months"],
        rates=tuple(Rate(r["cover"], r["valid_from"], r["amount"]) for r in body["rates"]),
        wage_band=body["wage_band"], branches=tuple(body["branches"]),
        deciles=(body["deciles"][0], body["deciles"][1]),
        occupations=tuple(body["occupations"]), grace_months=body["grace_months"],
        planned_members=body["planned_members"], opened_on=body["opened_on"],
        retention_years=body["retention_years"])


class RateOut(RateIn):
    pass


class ProgrammeOut(Written):
    id = fields.String(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    funder_name = fields.String(required=True)
    funder_region = fields.String(required=True)
    funding_source = fields.String(required=True)
    fiscal_year = fields.Integer(required=True)
    covers = fields.List(fields.String(), required=True)
    budget_ceiling = fields.Integer(required=True)
    dpa_reference = fields.String(required=True)
    committed = fields.Integer(required=True, metadata={"description": "paid, net of reversals"})
    remaining = fields.Integer(required=True)
    first_month = fields.String(required=True)
    months = fields.Integer(required=True)
    rates = fields.List(fields.Nested(RateOut), required=True)
    wage_band = fields.Integer(required=True)
    branches = fields.List(fields.String(), required=True)
    deciles = fields.List(fields.Integer(), required=True)
    occupations = fields.List(fields.String(), required=True)
    grace_months = fields.Integer(required=True)
    planned_members = fields.Integer(allow_none=True)
    opened_on = fields.Date(required=True)
    closed_on = fields.Date(allow_none=True)
    retention_years = fields.Integer(required=True)


class ProgrammePage(Page):
    items = fields.List(fields.Nested(ProgrammeOut), required=True)


class ProgrammeQuery(PageQuery, Fresh):
    pass


class BudgetRevisionIn(StrictSchema):
    ceiling = Rupiah(required=True, what="the budget ceiling")
    dpa_reference = text(100, required=True)
    reason = text(500, min_length=1, required=True)


class CloseIn(StrictSchema):
    closed_on = fields.Date(required=True)
    reason = text(500, min_length=1, required=True)


def view(programme: Programme) -> dict[str, Any]:
    return {
        "id": str(programme.id), "code": programme.code, "name": programme.name,
        "funder_name": programme.funder_name, "funder_region": programme.funder_region,
        "funding_source": programme.funding_source, "fiscal_year": programme.fiscal_year,
        "covers": programme.covers, "budget_ceiling": programme.budget_ceiling,
        "dpa_reference": programme.dpa_reference, "committed": programme.committed,
        "remaining": programme.remaining, "first_month": programme.first_month,
        "months": programme.months,
        "rates": [{"cover": r.cover, "valid_from": r.valid_from, "amount": r.amount}
                  for r in programme.rates],
        "wage_band": programme.wage_band, "branches": programme.branches,
        "deciles": list(programme.deciles), "occupations": programme.occupations,
        "grace_months": programme.grace_months, "planned_members": programme.planned_members,
        "opened_on": programme.opened_on, "closed_on": programme.closed_on,
        "retention_years": programme.retention_years,
    }


@blp.route("")
class Programmes(MethodView):
    @blp.doc(security=[BEARER])
    @blp.arguments(ProgrammeQuery, location="query")
    @blp.response(200, ProgrammePage)
    @requires(*READERS)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List programmes in the order they were opened (from the programmes read model;
        accepts min_position)."""
        fresh_list(query)
        found = lists.programmes(reader(), after=query["after"], limit=query["limit"])
        return page([{**view(p), "version": p.version, "position": None}
                     for p in listed(found)], found.next)

    @blp.doc(security=[BEARER])
    @blp.arguments(ProgrammeIn)
    @blp.response(201, ProgrammeOut)
    @requires("admin")
    def post(self, body: dict[str, Any]) -> Any:
        """Open a programme (admin)."""
        terms = terms_from_body(body)
        programme = ledger().open_programme(terms, actor=current_actor())
        return written(programme, view(programme), 201, f"/api/v1/programs/{programme.code}")


@blp.route("/<string:program>")
class OneProgramme(MethodView):
    @blp.doc(security=[BEARER])
    @blp.response(200, ProgrammeOut)
    @requires(*READERS)
    def get(self, program: str) -> Any:
        """One programme, as it is now."""
        programme = ledger().programme(program)
        return read(programme, view(programme))


@blp.route("/<string:program>/budget-revisions", methods=["POST"])
@blp.doc(security=[BEARER])
@blp.arguments(BudgetRevisionIn)
@blp.response(200, ProgrammeOut)
@requires("admin")
def revise_budget(body: dict[str, Any], program: str) -> Any:
    """Revise the budget ceiling (APBD-P); accepts If-Match."""
    programme = ledger().revise_budget(program, body["ceiling"], body["dpa_reference"],
                                       body["reason"], current_actor(),
                                       expected_version=if_match())
    return written(programme, view(programme))


@blp.route("/<string:program>/rates", methods=["POST"])
@blp.doc(security=[BEARER])
@blp.arguments(RateIn)
@blp.response(200, ProgrammeOut)
@requires("admin")
def set_rate(body: dict[str, Any], program: str) -> Any:
    """Add a dated contribution rate; accepts If-Match."""
    programme = ledger().set_rate(program, Rate(body["cover"], body["valid_from"],
                                                body["amount"]),
                                  current_actor(), expected_version=if_match())
    return written(programme, view(programme))


@blp.route("/<string:program>/close", methods=["POST"])
@blp.doc(security=[BEARER])
@blp.arguments(CloseIn)
@blp.response(200, ProgrammeOut)
@requires("admin")
def close(body: dict[str, Any], program: str) -> Any:
    """Close a programme; nothing more can be recorded on it. Accepts If-Match."""
    programme = ledger().close_programme(program, body["closed_on"], body["reason"],
                                         current_actor(), expected_version=if_match())
    return written(programme, view(programme))
