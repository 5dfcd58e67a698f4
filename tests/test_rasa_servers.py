"""Two Rasa servers behind the gateway (``HAMKKE_RASA_SERVERS=2``), one killed mid-conversation.

The worker runs both with the live model on the same tracker store; the
gateway sends each conversation to one of them and, when that one refuses
the connection, to the other. Killing a server (SIGKILL) costs no resident an
answer, and the worker starts it again.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import psutil
import pytest

from hamkke.i18n import t
from tests.stack import Stack, running_stack

pytestmark = pytest.mark.e2e

USERS = [f"pair-{i}" for i in range(8)]


@pytest.fixture(scope="module")
def pair_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from running_stack(tmp_path_factory, extra_env={"HAMKKE_RASA_SERVERS": "2"})


def rasa_servers(stack: Stack) -> list[psutil.Process]:
    family = psutil.Process(stack.assistant.procs["worker"].pid).children(recursive=True)
    return [p for p in family if "bot.rasa_run" in " ".join(p.cmdline())]


def test_a_killed_rasa_server_costs_no_resident_an_answer(pair_stack: Stack) -> None:
    stack = pair_stack
    deadline = time.monotonic() + 60
    while not stack.rows("SELECT rasa_url FROM model_versions WHERE status = 'live' AND rasa_url IS NOT NULL"):
        assert time.monotonic() < deadline, "the worker never published the servers' addresses"
        time.sleep(0.3)  # /healthz is 200 as soon as one server answers; the second may still be loading
    addresses = stack.rows("SELECT rasa_url FROM model_versions WHERE status = 'live'")[0][0]
    assert addresses.count(",") == 1 and len(rasa_servers(stack)) == 2, addresses
    time.sleep(0.5)  # the gateway follows the addresses four times a second
    # Two questions from each resident, spread over both servers.
    for user in USERS:
        assert "1345" in stack.say("где продлить визу", user)[0]
    victim = rasa_servers(stack)[-1]
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(10)
    started = time.monotonic()
    for user in USERS:
        answer = stack.say("мне не платят зарплату уже два месяца", user)[0]  # a question for Rasa
        assert not answer.startswith(t("busy", "ru")[:20]) and "1350" in answer, (user, answer)
    print(f"\n8 residents answered with one of two Rasa servers dead, in {time.monotonic() - started:.1f} s")
    deadline = time.monotonic() + 120
    while len([p for p in rasa_servers(stack) if p.is_running()]) < 2:
        assert time.monotonic() < deadline, "the killed Rasa server was not started again"
        time.sleep(0.5)
    failed = stack.rows("SELECT count(*) FROM messages WHERE direction = 'in' AND status != 'answered'")[0][0]
    assert failed == 0
