"""The HTTP resources of /api/v1, one module each.

Their blueprints parse arguments with :class:`SchemaReusingParser`: webargs makes a new
instance of an argument schema class on every request, and marshmallow deep-copies every field
of the class each time (a tenth of an enrolment's time in the worker); one instance per class
does the same work. Loading with a schema changes nothing in it, so requests share it.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser


class SchemaReusingParser(FlaskParser):
    """webargs' Flask parser with one instance of each argument schema class."""

    def __init__(self) -> None:
        super().__init__()
        self._schemas: dict[type[ma.Schema], ma.Schema] = {}

    def _get_schema(self, argmap: Any, req: Any) -> ma.Schema:
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            found = self._schemas.get(argmap)
            if found is None:
                found = self._schemas.setdefault(argmap, argmap())
            return found
        schema: ma.Schema = super()._get_schema(argmap, req)
        return schema


# Set before the modules of this package decorate their views: use_args binds the parser then.
Blueprint.ARGUMENTS_PARSER = SchemaReusingParser()
