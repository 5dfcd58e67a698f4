"""How the gateway's Rasa servers start (bot/rasa_run.py), in Rasa's own environment."""

from __future__ import annotations

import json
import subprocess

from hamkke.config import PROJECT_ROOT
from hamkke.training import RASA_PYTHON, rasa_env

_SCRIPT = r"""
import json
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from bot.rasa_run import check_action_results_once

action = RemoteAction("action_check_eligibility", None)
good = {"events": [{"event": "slot", "name": "birth_year", "value": 1962}], "responses": [{"text": "ok"}]}
bads = [{"events": [{"name": "birth_year"}], "responses": []}, {"events": "none"}, {"events": [5]}]

def outcomes():
    found = [action._validate_action_result(good)]
    for bad in bads:
        try:
            found.append(action._validate_action_result(bad))
        except ValidationError as exc:
            found.append(exc.message)
    return found

before = outcomes()
check_action_results_once()
print(json.dumps({"before": before, "after": outcomes()}))
"""


def test_action_results_are_checked_as_rasa_checks_them() -> None:
    """One validator made once accepts what Rasa's own check accepts and refuses what it refuses, with
    Rasa's error message."""
    env = {**rasa_env(), "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([str(RASA_PYTHON), "-c", _SCRIPT], env=env, capture_output=True, text=True, timeout=300,
                          check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["before"] == found["after"]
    assert found["after"][0] is True
    assert all(isinstance(message, str) and "Failed to validate Action server response" in message
               for message in found["after"][1:])


_ARGV = r"""
import json, sys
from rasa.__main__ import create_argument_parser
from bot.rasa_run import rasa_argv

parsed = create_argument_parser().parse_args(rasa_argv(["--enable-api", "-p", "5005"], sys.argv[1])[1:])
print(json.dumps({"secret": parsed.jwt_secret, "method": parsed.jwt_method, "port": parsed.port}))
"""


def test_a_secret_beginning_with_a_dash_reaches_rasa_whole() -> None:
    """Rasa's own command-line parser reads the secret, also one that begins with "-" (which it took for an
    option, so that Rasa did not start, when the secret followed ``--jwt-secret`` as an argument of its own)."""
    env = {**rasa_env(), "PYTHONPATH": str(PROJECT_ROOT)}
    for secret in ("-dash-first_0123456789abcdefghijklmnop", "plain_0123456789abcdefghijklmnopqrstu"):
        done = subprocess.run([str(RASA_PYTHON), "-c", _ARGV, secret], env=env, capture_output=True, text=True,
                              timeout=300, check=True)
        parsed = json.loads(done.stdout.strip().splitlines()[-1])
        assert parsed == {"secret": secret, "method": "HS256", "port": 5005}
