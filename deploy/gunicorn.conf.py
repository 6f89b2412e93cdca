"""gunicorn for the claims-ledger API: ``gunicorn --config deploy/gunicorn.conf.py``.

Environment only: ``LEDGER_BIND`` (default 0.0.0.0:8000), ``WEB_CONCURRENCY`` (workers, default
2), ``LEDGER_THREADS`` (threads per worker, default 4), ``LEDGER_LOG_LEVEL``. Command-line
options (``--bind``, ``--workers``, ``--threads``) win over these. Each worker builds its own
application service (``create_app()``), so nothing is shared between processes but the
database; a worker's threads share its service, its connection pool and its aggregate cache.
"""

import gc
import os
from typing import Any

from gunicorn.glogging import Logger


class NoAccessLog(Logger):
    """gunicorn's logger without the access log. With a logging configuration (below) gunicorn
    builds every access line's fields even though no handler writes them: 4% of a worker's
    time per request, for a line the application writes better itself."""

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


wsgi_app = "api.app:create_app()"
bind = [os.environ.get("LEDGER_BIND", "0.0.0.0:8000")]
# A request spends most of its time waiting for PostgreSQL: one worker per core, each serving
# four requests at once with threads (gthread), answered 1.5-2.5 times the requests of four
# single-threaded workers with 16 clients on two cores, for less CPU a request (bench.api).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("LEDGER_THREADS", "4"))
timeout = 60
graceful_timeout = 20
# The application logs every request itself, as JSON with the request id and the actor
# (api/logs.py); gunicorn's own access log would say it again without them.
accesslog = None
logger_class = NoAccessLog
errorlog = "-"
loglevel = os.environ.get("LEDGER_LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "api.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "api.logs.StderrHandler", "formatter": "json"}},
    # The application's own loggers (claims_ledger.*) get the same handler when the app is
    # made; the root logger's warnings (libraries') go through it too, masked, as JSON.
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": loglevel.upper(),
                           "propagate": False},
    },
}


def post_worker_init(worker: Any) -> None:
    """Once the worker has built its application, move everything built so far out of the
    garbage collector's sight (``gc.freeze``): the objects of the application, its libraries
    and its schemas live as long as the worker, and a full collection that walks them all paused
    every request of the worker for tens of milliseconds (86 ms measured, 13 ms frozen). What
    start-up left as garbage is collected first, so that it is not kept for good."""
    gc.collect()
    gc.freeze()
