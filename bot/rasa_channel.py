"""Rasa's REST channel, for the gateway only (named in ``credentials.yml``; loaded by Rasa).

Rasa's own REST channel takes any request: on a shared machine any local
process could post ``/check_eligibility{"program": …}`` into a resident's
conversation and set its slots. This one keeps Rasa's path
(``/webhooks/rest/webhook``) and its behaviour, and refuses (403) a request
without the gateway's token: a short-lived JWT signed with the secret the
gateway and Rasa share (``HAMKKE_RASA_JWT_SECRET``, the one Rasa's HTTP API
checks too). Without a secret it refuses everything.
"""

from __future__ import annotations

import os
from typing import Any, Optional

import jwt
from rasa.core.channels.rest import RestInput
from sanic import response
from sanic.request import Request


def from_the_gateway(authorization: str, secret: str) -> bool:
    """Whether an ``Authorization`` header carries a valid token signed with ``secret``."""
    token = authorization.removeprefix("Bearer ").strip()
    if not secret or not token:
        return False
    try:
        jwt.decode(token, secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        return False
    return True


class GatewayInput(RestInput):  # type: ignore[misc]
    """The REST channel, answering only requests signed by the gateway."""

    @classmethod
    def name(cls) -> str:
        """Rasa's path stays ``/webhooks/rest/``."""
        return "rest"

    def blueprint(self, on_new_message: Any) -> Any:
        """Rasa's REST routes behind a check of the gateway's token."""
        routes = super().blueprint(on_new_message)
        secret = os.environ.get("HAMKKE_RASA_JWT_SECRET", "")

        @routes.middleware("request")  # type: ignore[untyped-decorator]
        async def only_the_gateway(request: Request) -> Optional[Any]:
            if not from_the_gateway(request.headers.get("Authorization", ""), secret):
                return response.json({"error": "forbidden"}, status=403)
            return None

        return routes
