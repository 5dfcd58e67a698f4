"""``rasa run``, with the shared secret read from the environment instead of the command line.

The worker starts every Rasa server as ``python -m bot.rasa_run <rasa run's options>``
in Rasa's environment. A secret on a command line is readable by every local
user (``/proc/<pid>/cmdline``); a process's environment only by its owner. The
secret signs the tokens of Rasa's HTTP API and of the gateway's channel
(``bot.rasa_channel``).

It also checks the action server's answers with one validator made once
(:func:`check_action_results_once`), instead of Rasa's ``jsonschema.validate`` on
every answer, which first checks the unchanging schema against its meta-schema.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def check_action_results_once() -> None:
    """Rasa validates every action server response with ``jsonschema.validate``, which checks the schema
    itself against the meta-schema each time (5% of a serving Rasa's time, sampled at 10 residents). The
    schema is fixed: check it once and keep its validator. A response it finds invalid goes to Rasa's own
    check, which raises the error Rasa always raised, with Rasa's message."""
    from jsonschema import exceptions, validators
    from rasa.core.actions.action import RemoteAction

    rasas_own = RemoteAction._validate_action_result
    spec = RemoteAction.action_response_format_spec()
    kind = validators.validator_for(spec)
    kind.check_schema(spec)
    validator = kind(spec)

    def validate(self: RemoteAction, result: dict[str, Any]) -> bool:
        if exceptions.best_match(validator.iter_errors(result)) is None:
            return True
        return bool(rasas_own(self, result))

    RemoteAction._validate_action_result = validate


def rasa_argv(args: list[str], secret: str) -> list[str]:
    """``rasa run``'s command line with ``args`` and the secret. Given as ``--jwt-secret=…``: a secret that
    begins with "-" (one in 64 of ``new_secret``'s) would read as an option of its own and Rasa would not
    start ("expected one argument")."""
    return ["rasa", "run", *args, *([f"--jwt-secret={secret}", "--jwt-method", "HS256"] if secret else [])]


def main() -> None:
    """Run ``rasa run`` with this process's arguments and the secret from ``HAMKKE_RASA_JWT_SECRET``."""
    sys.argv = rasa_argv(sys.argv[1:], os.environ.get("HAMKKE_RASA_JWT_SECRET", ""))
    from rasa.__main__ import main as rasa_main

    check_action_results_once()
    rasa_main()


if __name__ == "__main__":
    main()
