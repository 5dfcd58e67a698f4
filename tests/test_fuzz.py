"""Every endpoint of the gateway fuzzed (Schemathesis, from the gateway's OpenAPI description and the
console's and admin pages' routes, tests/fuzzing.py), valid and invalid requests alike:

- anonymous, signed in as staff and signed in as an admin, against a real gateway on SQLite: never a
  5xx; a console or admin page never answers a stranger, an admin page never answers staff; no
  response to a stranger holds a resident's words;
- the residents' endpoints (KakaoTalk, Telegram's webhook, the JSON API, a long answer's page)
  against the whole assistant (real Rasa): never a 5xx, never another resident's words, never an
  answer to KakaoTalk slower than its 5 seconds or not a well-formed skill 2.0 response.

``make test`` sends a few requests of each kind to every operation; ``make fuzz`` many more
(``HAMKKE_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from typing import Any, Optional

import httpx
import jsonschema
import pytest

from bot.app import create_app
from hamkke.config import PROJECT_ROOT, Settings
from tests.console_client import Console, make_user
from tests.fuzzing import NOT_FUZZED_SIGNED_IN, Run, description, fuzz
from tests.helpers import Gateway, LocalServer, greeting_rasa, kakao_request

EXAMPLES = int(os.environ.get("HAMKKE_FUZZ_EXAMPLES", "4"))
KAKAO_LIMIT_S = 5.0  # Kakao shows its own error after 5 seconds
# A resident's words no response to anybody else may hold.
PLANTED = "Zebrafinch Okhotnikova from Ulitsa Sadovaya"
KAKAO_RESPONSE = jsonschema.Draft202012Validator(json.loads(
    (PROJECT_ROOT / "tests" / "data" / "kakao_skill_response.schema.json").read_text()))
PUBLIC = ("/kakao/skill", "/telegram/webhook", "/api/", "/answers/", "/healthz")


def _public(path: str) -> bool:
    return path.startswith(PUBLIC)


@dataclasses.dataclass
class Site:
    url: str
    settings: Settings


@pytest.fixture
def site(settings: Settings) -> Iterator[Site]:
    with LocalServer(greeting_rasa) as rasa:
        configured = dataclasses.replace(settings, rasa_url=rasa.url, actions_url=rasa.url)
        with Gateway(create_app(configured)) as gateway:
            make_user(configured.database_url, "kim", "staff")
            make_user(configured.database_url, "park", "admin", ui_language="en")
            # A resident who asked for a person: the console has a conversation to show.
            for text in (f"Меня зовут {PLANTED}", "позовите человека"):
                response = httpx.post(f"{gateway.url}/kakao/skill", json=kakao_request(text, "planted"), timeout=20)
                assert response.status_code == 200
            yield Site(gateway.url, configured)


def _signed_in(url: str, name: str) -> tuple[dict[str, str], dict[str, str]]:
    console = Console(url)
    assert console.sign_in(name).status_code == 303
    cookies = dict(console.client.cookies)
    headers = {"X-CSRF-Token": console.csrf, "Origin": url}
    console.close()
    return headers, cookies


def _report(run: Run, who: str) -> None:
    print(f"\n{who}: {run.summary()}")
    for finding in run.findings[:20]:
        print(f"  {finding.method} {finding.path} -> {finding.status}: {finding.problem}\n    {finding.request[:400]}")


def test_every_console_and_admin_endpoint_fuzzed_anonymous_as_staff_and_as_admin(site: Site) -> None:
    spec = description(create_app(site.settings))
    operations = sum(len(ops) for ops in spec["paths"].values())
    assert operations >= 70  # the whole surface, hidden pages included

    def as_stranger(method: str, path: str, response: Any) -> Optional[str]:
        if PLANTED.split()[0] in response.text:
            return "a resident's words shown to a stranger"
        if path.startswith(("/staff", "/admin")) and path != "/staff/login" and response.status_code < 300:
            return "a page answered without signing in"
        if path.startswith(("/staff", "/admin")) and response.status_code in (301, 302, 303, 307) and \
                not response.headers.get("location", "").startswith("/staff/login"):
            return "a redirect into the console without signing in"
        return None

    anonymous = fuzz(spec, site.url, EXAMPLES, as_stranger)
    _report(anonymous, "anonymous")

    headers, cookies = _signed_in(site.url, "kim")

    def as_staff(method: str, path: str, response: Any) -> Optional[str]:
        if path.startswith("/admin") and response.status_code < 400:
            return "an admin page answered staff"
        return None

    staff = fuzz(spec, site.url, EXAMPLES, as_staff, headers=headers, cookies=cookies,
                 only=lambda method, path: (method, path) not in NOT_FUZZED_SIGNED_IN and not _public(path))
    _report(staff, "staff")

    headers, cookies = _signed_in(site.url, "park")
    admin = fuzz(spec, site.url, EXAMPLES, lambda *_: None, headers=headers, cookies=cookies,
                 only=lambda method, path: (method, path) not in NOT_FUZZED_SIGNED_IN and not _public(path))
    _report(admin, "admin")

    assert not anonymous.findings and not staff.findings and not admin.findings
    # The fuzzing reached past the sign-in: signed-in requests got answers, not only refusals.
    assert sum(n for name, by in admin.statuses.items() if name.startswith("GET /admin")
               for status, n in by.items() if status == 200) > 0
    assert len(admin.sent) >= 60 and len(staff.sent) >= 60


@pytest.mark.e2e
def test_residents_endpoints_fuzzed_on_the_whole_assistant(stack: Any, settings: Settings) -> None:
    """KakaoTalk, Telegram's webhook, the JSON API and a long answer's page, against real Rasa."""
    said = stack.say(f"Меня зовут {PLANTED}, где продлить визу?", "fuzz-planted")[0]
    assert said  # the planted resident was answered (and their words stored)
    spec = description(create_app(settings))  # the same routes as the running assistant's

    def check(method: str, path: str, response: Any) -> Optional[str]:
        if PLANTED.split()[0] in response.text:
            return "another resident's words in a response"
        elapsed = response.elapsed if isinstance(response.elapsed, float) else response.elapsed.total_seconds()
        if path == "/kakao/skill" and elapsed > KAKAO_LIMIT_S:
            return f"answered KakaoTalk after {elapsed:.1f} s"
        if path == "/kakao/skill" and response.status_code == 200:  # an answer Kakao can show
            errors = [e.message for e in KAKAO_RESPONSE.iter_errors(response.json())]
            return f"not a skill 2.0 response: {errors[:2]}" if errors else None
        return None

    run = fuzz(spec, stack.assistant.gateway_url, EXAMPLES, check, only=lambda _method, path: _public(path))
    _report(run, "residents' endpoints")
    assert not run.findings
    assert set(run.sent) >= {"POST /kakao/skill", "GET /api/services", "GET /api/events",
                             "POST /api/eligibility/{program}", "POST /telegram/webhook"}
    # Valid KakaoTalk requests were answered (not all refused as malformed).
    assert run.statuses["POST /kakao/skill"].get(200, 0) > 0
    print(f"slowest KakaoTalk answer: {run.slowest_kakao_s:.2f} s (limit {KAKAO_LIMIT_S:.0f} s)")
