"""/programs/{code}/rosters: a roster file (CSV or XLSX) uploaded by a clerk, enrolled in bulk.

The answer is the import's summary and every rejected row with its reason in Indonesian and
English; the good rows are enrolled in all-or-nothing batches, exactly as ``claims-ledger import
members`` does. A file that cannot be read at all is refused (422) with nothing recorded. When the
database goes away during the upload and stays away, the answer is 503 saying which rows were
recorded; the same file uploaded again continues from there.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from flask import request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate

from api.auth import BEARER, current_actor, requires
from api.fields import text
from api.state import ledger
from intake.importing import ImportOptions, RejectedRow, import_roster, read_roster
from intake.roster import FORMATS
from storage.settings import DATABASE_WAIT_SECONDS

blp = Blueprint("rosters", __name__, url_prefix="/api/v1/programs",
                description="Bulk enrolment from a roster file")


class RosterForm(Schema):
    enrolled_on = fields.Date(metadata={"description": "for rows without a date; default "
                                        "today"})
    branch = text(100)
    register = fields.String(load_default="DTSEN",
                             validate=validate.OneOf(["DTKS", "DTSEN"]))
    register_snapshot = fields.Date()


class RosterFile(Schema):
    """The multipart body: the file, and the form fields of :class:`RosterForm` beside it."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                                "description": "the roster, .csv or .xlsx"})
    enrolled_on = fields.String(metadata={"description": "form field: YYYY-MM-DD"})
    branch = fields.String(metadata={"description": "form field"})
    register = fields.String(metadata={"description": "form field: DTKS or DTSEN"})
    register_snapshot = fields.String(metadata={"description": "form field: YYYY-MM-DD"})


class RejectedOut(Schema):
    row = fields.Integer(required=True)
    nik = fields.String(required=True, metadata={"description": "masked"})
    rule = fields.String(required=True)
    reason_id = fields.String(required=True)
    reason_en = fields.String(required=True)


class RosterSummaryOut(Schema):
    program = fields.String(required=True)
    file = fields.String(required=True)
    rows = fields.Integer(required=True)
    enrolled = fields.Integer(required=True)
    already_enrolled = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    batches = fields.Integer(required=True)
    failed_batches = fields.Integer(required=True)
    rejected_by_rule = fields.Dict(keys=fields.String(), values=fields.Integer())
    position = fields.Integer(allow_none=True)
    errors = fields.List(fields.Nested(RejectedOut), required=True)


@blp.route("/<code>/rosters", methods=["POST"])
@blp.doc(security=[BEARER])
@requires("clerk")
@blp.arguments(RosterFile, location="files")
@blp.response(200, RosterSummaryOut)
def upload(files: dict[str, Any], code: str) -> dict[str, Any]:
    """Enrol the workers of an uploaded roster; answers the counts and the rejected rows."""
    try:  # one multipart body documents best as one schema; its text fields are read here
        form = RosterForm().load(request.form.to_dict())
    except ValidationError as error:
        abort(422, message="the form fields are not valid", errors=error.messages)
    upload_file = files["file"]
    name = Path(upload_file.filename or "roster").name
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        abort(422, message=f"'{name}' is not a CSV or XLSX file; upload the roster as .csv or "
              ".xlsx", errors={"file": ["must be .csv or .xlsx"]})
    options = ImportOptions(enrolled_on=form.get("enrolled_on") or date.today(),
                            branch=form.get("branch") or None, register=form["register"],
                            register_snapshot=form.get("register_snapshot"))
    rejected: list[RejectedRow] = []
    with tempfile.TemporaryDirectory(prefix="roster-") as folder:
        path = Path(folder) / f"upload.{suffix}"
        upload_file.save(path)
        sheet = read_roster(path)
        sheet.path = Path(name)
        # No forked workers inside a web server's worker (its threads, locks and pooled
        # connections do not survive a fork safely); the command line uses them. A restart of
        # the database is waited out for as long as a request waits for it, not the minute
        # the command line waits: the client gets its 503 with what was recorded.
        summary = import_roster(ledger(), code, sheet, current_actor(), options,
                                rejected.append, workers=0, patience=DATABASE_WAIT_SECONDS)
    return {"program": code.upper(), "file": name, **summary.as_record(),
            "errors": [item.as_record() for item in rejected]}
