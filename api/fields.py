"""Marshmallow building blocks shared by the resources: money, codes, paging, write answers."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from ledger.limits import MAX_RUPIAH, count_text
from ledger.money import rupiah


def _whole_rupiah(value: Any) -> None:
    if isinstance(value, bool):
        raise ValidationError("money is a whole number of rupiah, not true/false")


class Rupiah(fields.Integer):
    """Whole rupiah: an integer, never a float or a boolean, between ``minimum`` (zero unless
    said) and ``maximum`` (the ledger's bound on any amount unless said, ``ledger.limits``);
    ``what`` names the figure in the message ("the budget ceiling can be at most ...")."""

    def __init__(self, *, what: str = "an amount", minimum: int = 0,
                 maximum: int = MAX_RUPIAH, **kwargs: Any) -> None:
        # A field may say what its amount is, and show a fitting example (a budget is not 16800).
        described = kwargs.pop("description", None)
        bounds = f"whole rupiah, {rupiah(minimum)} to {rupiah(maximum)}"
        metadata = {"description": f"{described} ({bounds})" if described else bounds,
                    "example": kwargs.pop("example", 16800)}
        super().__init__(
            strict=True,
            validate=[_whole_rupiah,
                      validate.Range(min=minimum, error=f"{what} must be at least "
                                     f"{rupiah(minimum)}"),
                      validate.Range(max=maximum, error=f"{what} can be at most "
                                     f"{rupiah(maximum)}")],
            metadata=metadata, **kwargs)


def bounded(minimum: int, maximum: int, what: str, **kwargs: Any) -> fields.Integer:
    """A whole number (months, members, years) within the ledger's bounds; the OpenAPI
    document states them, and the message names the figure."""
    return fields.Integer(
        validate=validate.Range(min=minimum, max=maximum,
                                error=f"{what} must be between {count_text(minimum)} and "
                                      f"{count_text(maximum)}"),
        **kwargs)


def pattern(regex: str, example: str, **kwargs: Any) -> fields.String:
    """A string of a fixed shape; the error says what it should look like."""
    metadata = {"example": example}
    if "description" in kwargs:
        metadata["description"] = kwargs.pop("description")
    return fields.String(validate=validate.Regexp(regex, error=f"must look like {example}"),
                         metadata=metadata, **kwargs)


def text(max_length: int = 500, *, min_length: int = 0, **kwargs: Any) -> fields.String:
    """Free text of bounded length (``min_length=1``: it may not be empty)."""
    return fields.String(validate=validate.Length(min=min_length, max=max_length), **kwargs)


def nik(**kwargs: Any) -> fields.String:
    return pattern(r"^\s*\d{16}\s*$", "3671085203900001", **kwargs)


MONTH = r"^\d{4}-\d{2}$"


def stripped(values: dict[str, Any]) -> dict[str, Any]:
    """The same values with the surrounding spaces of strings removed."""
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


class StrictSchema(Schema):
    """Unknown fields are refused (a typo should not pass silently)."""


class Written(Schema):
    """Every answer about one record carries its version and, after a write, the log position."""

    version = fields.Integer(required=True)
    position = fields.Integer(allow_none=True,
                              metadata={"description": "log position of the write"})


class PageQuery(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**62),
                           metadata={"description": "log position cursor from 'next'"})


class Page(Schema):
    next = fields.Integer(allow_none=True, metadata={"description": "pass as ?after= for more"})
