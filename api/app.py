"""The Flask application factory: ``create_app()`` builds one ledger service per process."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from marshmallow import Schema, fields

from api import auth, console, docs_pages, health, idempotency, logs, lookups
from api.errors import register_error_handlers
from api.openapi import ProblemResponses, register_problem_responses
from api.resources import (
    audit_feed,
    claims,
    contributions,
    events,
    findings,
    handovers,
    identity_checks,
    incidents,
    jkk_schedule,
    journal,
    members,
    people,
    programmes,
    projections,
    reports,
    scholarships,
    tokens,
)
from api.resources import reconciliation as reconciliation_runs
from api.resources import rosters as roster_uploads
from ledger.rule_sets import RuleBook
from storage.log_index import open_ledger
from storage.settings import StoreSettings, settings_from_environment

BLUEPRINTS = (programmes.blp, members.blp, contributions.blp, incidents.blp, claims.blp,
              handovers.blp, events.blp, projections.blp, journal.blp, findings.blp,
              identity_checks.blp, reports.blp, roster_uploads.blp, reconciliation_runs.blp,
              tokens.blp, scholarships.blp, jkk_schedule.blp, audit_feed.blp, people.blp)


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error is answered."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    rule = fields.String(metadata={"description": "the ledger rule that refused the request"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "per field, for 422"})


class LedgerApi(Api):
    """flask-smorest's Api with every error answered as problem details (api/errors.py)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        register_error_handlers(self._app)

    def _register_responses(self) -> None:
        # flask-smorest declares its error responses as application/json; they are served as
        # application/problem+json.
        register_problem_responses(self.spec, self.ERROR_SCHEMA,
                                   self.DEFAULT_ERROR_RESPONSE_NAME)


def create_app(settings: StoreSettings | None = None, *,
               rule_book: RuleBook | None = None) -> Flask:
    """The HTTP API and the console on ``settings`` (default: ``LEDGER_DATABASE_URL``);
    ``rule_book``: the benefit rule sets claims are decided under (default:
    ``LEDGER_RULE_BOOK``, the real book when unset)."""
    app = Flask("claims_ledger")
    app.config.update(
        API_TITLE="claims-ledger",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
    )
    docs_pages.configure(app)  # Swagger UI and ReDoc from pinned packages, served here
    ledger = open_ledger(settings or settings_from_environment(), rule_book=rule_book)
    ledger.require_initialised()
    app.extensions["claims_ledger"] = ledger
    api = LedgerApi(app, spec_kwargs={
        "extra_plugins": [ProblemResponses()],
        "info": {"description": "The event-sourced record of city-funded BPJS "
                 "Ketenagakerjaan cover: every write is an immutable event."},
    })
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer",
                       "description": "made with 'claims-ledger token create'"})
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    logs.register(app)
    auth.register(app)  # before idempotency: a kept answer is replayed only to a valid token
    lookups.register(app)  # a NIK in a URL: 400, after the token check, before idempotency
    idempotency.register(app)
    health.register(app)
    console.register(app)  # the browser console at /, on the same ledger
    return app
