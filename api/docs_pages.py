"""The API's docs pages (Swagger UI at ``/api/v1/docs``, ReDoc at ``/api/v1/redoc``) load their
scripts and styles from the app itself, out of pinned pip packages: they work on a network
without internet, and the same release always shows the same pages.

flask-smorest renders the two pages; this module serves the files they name.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from flask import Blueprint, Flask, Response, send_from_directory
from swagger_ui_bundle import swagger_ui_path

#: Under the prefix of flask-smorest's own docs blueprint ("api-docs"), where the OpenAPI
#: document lives; no token is needed, as for the document.
PREFIX = "/api/v1"
SWAGGER_UI_ASSETS = f"{PREFIX}/docs/assets/"
REDOC_SCRIPT = f"{PREFIX}/redoc/redoc.standalone.js"

#: Swagger UI's distribution (swagger-ui-bundle-v2) and ReDoc's standalone script (shipped by
#: flask-openapi3-redoc; only the file is used, nothing of flask-openapi3).
SWAGGER_UI_DIR = Path(str(swagger_ui_path))
REDOC_DIR = Path(str(files("flask_openapi3_redoc"))) / "templates" / "redoc" / "js"

#: The files are those of the pinned package versions; browsers may keep them a day.
MAX_AGE_SECONDS = 86_400

blp = Blueprint("api-docs-assets", __name__)


@blp.route(f"{SWAGGER_UI_ASSETS}<path:filename>")
def swagger_ui_file(filename: str) -> Response:
    """A file of Swagger UI's distribution (send_from_directory refuses paths outside it)."""
    return send_from_directory(SWAGGER_UI_DIR, filename, max_age=MAX_AGE_SECONDS)


@blp.route(REDOC_SCRIPT)
def redoc_script() -> Response:
    """ReDoc's standalone script."""
    return send_from_directory(REDOC_DIR, "redoc.standalone.js", max_age=MAX_AGE_SECONDS)


def configure(app: Flask) -> None:
    """Point flask-smorest's docs pages at the files served here; call before the Api is made."""
    app.config.update(
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=SWAGGER_UI_ASSETS,
        # No "validator" badge: Swagger UI would send the document's address to its online
        # validator otherwise.
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},
        OPENAPI_REDOC_PATH="redoc",
        OPENAPI_REDOC_URL=REDOC_SCRIPT,
    )
    app.register_blueprint(blp)
