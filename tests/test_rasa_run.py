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
