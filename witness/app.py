"""The witness over HTTP: ``POST /add-checkpoint`` (C2SP ``tlog-witness``), as a Flask app.

:func:`create_app` builds the WSGI app around one :class:`~witness.core.Witness`;
:func:`make_server` serves it with Werkzeug's threaded server (keep-alive, as the spec asks of
witnesses), which the CLI's ``witness serve`` and the tests run. Behind a real deployment it is a
plain WSGI app for gunicorn.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import make_server as werkzeug_server

from witness.core import Witness

#: A request is a checkpoint, 63 hashes and some signatures: far below this.
MAX_REQUEST_BYTES = 256 * 1024


def create_app(witness: Witness) -> Flask:
    """The WSGI app of one witness."""
    app = Flask("witness")
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES

    @app.post("/add-checkpoint")
    def add_checkpoint() -> Response:
        answer = witness.handle(request.get_data(cache=False))
        return Response(answer.body, status=answer.status, content_type=answer.content_type)

    return app


def make_server(witness: Witness, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    """A threaded HTTP server for the witness; port 0 picks a free one (``server.port``)."""
    return werkzeug_server(host, port, create_app(witness), threaded=True)
