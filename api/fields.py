"""Marshmallow building blocks shared by the resources: money, codes, paging, write answers."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate


def _whole_rupiah(value: Any) -> None:
    if isinstance(value, bool):
        raise ValidationError("money is a whole number of rupiah, not true/false")


class Rupiah(fields.Integer):
    """Whole rupiah: an integer, never a float or a boolean, zero or more."""

    def __init__(self, **kwargs: Any) -> None:
        minimum = kwargs.pop("minimum", 0)
        # A field may say what its amount is, and show a fitting example (a budget is not 16800).
        described = kwargs.pop("description", None)
        metadata = {"description": f"{described} (whole rupiah)" if described else "whole rupiah",
                    "example": kwargs.pop("example", 16800)}
        super().__init__(strict=True, validate=[_whole_rupiah, validate.Range(min=minimum)],
                         metadata=metadata, **kwargs)


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
