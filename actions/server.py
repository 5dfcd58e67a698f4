"""The action server: rasa_sdk's, started the way this project needs it (``python -m actions.server``).

rasa_sdk's own error handler answers a failed action with ``{"error": str(exception),
"request_body": ...}``: the database's error text with its SQL parameters, and the whole tracker (the
resident's messages), and logs the same. Here a failed action is answered with a fixed text, and logged
with the exception's type and where it happened, never its message or the request. It listens on
``SANIC_HOST`` (127.0.0.1 unless set) and allows no cross-origin browser requests.
"""

from __future__ import annotations

import argparse
import logging
import os
import traceback
from typing import Any

from rasa_sdk import endpoint, utils
from sanic import Sanic, response
from sanic.response import HTTPResponse

from hamkke.config import get_settings
from hamkke.logs import configure_logging

log = logging.getLogger("actions.server")


def where(exc: BaseException) -> str:
    """The frames an exception passed through (file:line in function), without any value."""
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    return " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}" for f in reversed(frames))


def create_app() -> Sanic:
    """rasa_sdk's application for the ``actions`` package, with errors that say nothing of what failed."""
    app: Sanic = endpoint.create_app("actions", cors_origins=None)

    async def failed(_request: Any, exc: Exception) -> HTTPResponse:
        log.error("an action failed: %s at %s", type(exc).__name__, where(exc))
        return response.json({"error": "the action failed"}, status=500)

    app.exception(Exception)(failed)  # type: ignore[no-untyped-call]  # replaces rasa_sdk's handler (registered first, for the same type)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="The Hamkke action server")
    parser.add_argument("-p", "--port", type=int, default=5055)
    args = parser.parse_args()
    configure_logging(get_settings().log_level)
    app = create_app()
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    log.info("action server on http://%s:%d", host, args.port)
    app.run(host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
