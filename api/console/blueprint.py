"""The console's blueprint (its routes are in :mod:`api.console.views`, its error pages in
:mod:`api.console.errors`), and the CSRF protection its forms share."""

from __future__ import annotations

from flask import Blueprint
from flask_wtf.csrf import CSRFProtect

bp = Blueprint("console", __name__, template_folder="templates", static_folder="static",
               static_url_path="/assets")
csrf = CSRFProtect()
