"""``rasa run``, with the shared secret read from the environment instead of the command line.

The worker starts every Rasa server as ``python -m bot.rasa_run <rasa run's options>``
in Rasa's environment. A secret on a command line is readable by every local
user (``/proc/<pid>/cmdline``); a process's environment only by its owner. The
secret signs the tokens of Rasa's HTTP API and of the gateway's channel
(``bot.rasa_channel``).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run ``rasa run`` with this process's arguments and the secret from ``HAMKKE_RASA_JWT_SECRET``."""
    secret = os.environ.get("HAMKKE_RASA_JWT_SECRET", "")
    sys.argv = ["rasa", "run", *sys.argv[1:], *(["--jwt-secret", secret, "--jwt-method", "HS256"] if secret else [])]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
