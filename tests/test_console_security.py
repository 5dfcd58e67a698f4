"""The console's sign-in and permissions over real HTTP (rows 20-24 of the reliability brief).

The gateway runs in uvicorn on a free port against a fresh SQLite database;
Rasa is a local server speaking its REST channel.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from sqlalchemy import select, update

from bot.app import create_app
from bot.console.routes import COOKIE as COOKIE_NAME_HINT
from hamkke.accounts import create_user
from hamkke.config import Settings
from hamkke.db.models import AuditEntry, StaffSession, StaffUser
from hamkke.db.session import Database
from tests.console_client import Console, make_user, query
from tests.helpers import Gateway, LocalServer, kakao_request


def quiet_rasa(method: str, path: str, body: Any) -> tuple[int, Any]:
    if path.startswith("/webhooks/rest/webhook"):
        if isinstance(body, dict) and "person" in str(body.get("message")):
            return 200, [{"custom": {"key": "handoff_recorded", "handoff": {"reason": "requested"}}}]
        return 200, [{"custom": {"key": "greet"}}]
    return 200, {}


@dataclasses.dataclass
class Site:
    gateway: Gateway
    settings: Settings
    opened: list[Console] = dataclasses.field(default_factory=list)

    @property
    def url(self) -> str:
        return self.gateway.url

    def console(self) -> Console:
        console = Console(self.url)
        self.opened.append(console)
        return console

    def rows(self, statement: Any) -> list[Any]:
        return query(self.settings.database_url, statement)

    def execute(self, statement: Any) -> None:
        query(self.settings.database_url, statement, commit=True)


@pytest.fixture
def site(settings: Settings) -> Iterator[Site]:
    with LocalServer(quiet_rasa) as rasa:
        configured = dataclasses.replace(settings, rasa_url=rasa.url, actions_url=rasa.url)
        with Gateway(create_app(configured)) as gateway:
            make_user(configured.database_url, "kim", "staff")
            make_user(configured.database_url, "lee", "staff")
            make_user(configured.database_url, "park", "admin")
            running = Site(gateway, configured)
            yield running
            for console in running.opened:
                console.close()


def test_passwords_are_argon2id_at_least_owasp_strength_and_never_logged(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    make_user(settings.database_url, "choi", "staff", password="a secret phrase 2026")

    async def stored() -> str:
        db = Database(settings.database_url)
        try:
            async with db.session() as session:
                return str(await session.scalar(select(StaffUser.password_hash).where(StaffUser.name == "choi")))
        finally:
            await db.dispose()

    digest = asyncio.run(stored())
    parameters = extract_parameters(digest)
    assert parameters.type is Type.ID
    assert parameters.memory_cost >= 19 * 1024 and parameters.time_cost >= 2 and parameters.parallelism >= 1
    assert PasswordHasher().verify(digest, "a secret phrase 2026")
    assert "a secret phrase 2026" not in caplog.text


def test_weak_or_duplicate_accounts_are_refused(settings: Settings) -> None:
    from hamkke.accounts import AccountError

    async def attempt(name: str, password: str, role: str) -> None:
        db = Database(settings.database_url)
        try:
            async with db.session() as session:
                await create_user(session, name, password, role)
        finally:
            await db.dispose()

    asyncio.run(attempt("kang", "long enough pw", "staff"))
    for name, password, role in (("kang", "long enough pw", "staff"), ("x y", "long enough pw", "staff"),
                                 ("song", "short", "staff"), ("song", "long enough pw", "root")):
        with pytest.raises(AccountError):
            asyncio.run(attempt(name, password, role))


def test_sign_in_rotates_the_session_and_the_old_cookie_is_worthless(site: Site) -> None:
    console = site.console()
    console.client.get("/staff/login")
    before = console.client.cookies.get(COOKIE_NAME_HINT)
    assert before
    assert console.sign_in("kim").status_code == 303
    after = console.client.cookies.get(COOKIE_NAME_HINT)
    assert after and after != before
    replayed = httpx.get(f"{site.url}/staff", cookies={COOKIE_NAME_HINT: before}, headers={"accept": "text/html"})
    assert replayed.status_code == 303 and replayed.headers["location"] == "/staff/login"
    assert console.get("/staff").status_code == 200


def test_cookies_are_httponly_and_samesite_and_secure_behind_tls(settings: Settings) -> None:
    for secure in (False, True):
        with LocalServer(quiet_rasa) as rasa:
            configured = dataclasses.replace(settings, rasa_url=rasa.url, console_secure_cookies=secure)
            with Gateway(create_app(configured)) as gateway:
                header = httpx.get(f"{gateway.url}/staff/login").headers["set-cookie"].lower()
                assert "httponly" in header and "samesite=strict" in header
                assert ("secure" in header.replace("httponly", "")) is secure


def test_an_idle_session_ends(site: Site) -> None:
    console = site.console()
    console.sign_in("kim")
    assert console.get("/staff").status_code == 200
    idle = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=site.settings.console_idle_minutes + 1)
    site.execute(update(StaffSession).values(last_seen_at=idle))
    response = console.get("/staff")
    assert response.status_code == 303 and response.headers["location"] == "/staff/login"
    assert console.act("/staff/conversations/1/assign").status_code == 401


def test_wrong_passwords_are_slowed_down(site: Site) -> None:
    console = site.console()
    statuses = [console.sign_in("lee", "wrong password!").status_code for _ in range(7)]
    assert statuses[:5] == [401] * 5
    assert 429 in statuses[5:]
    slowed = console.sign_in("lee")  # even the right password waits its turn
    assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) >= 1
    assert site.rows(select(AuditEntry.action).where(AuditEntry.action == "sign_in_failed"))


def test_a_post_without_the_csrf_token_is_403_and_changes_nothing(site: Site) -> None:
    with httpx.Client(base_url=site.url) as resident:
        resident.post("/kakao/skill", json=kakao_request("a person please", "csrf-resident"))
    console = site.console()
    console.sign_in("kim")
    from hamkke.db.models import Conversation
    ((conversation_id,),) = site.rows(select(Conversation.id))
    path = f"/staff/conversations/{conversation_id}/assign"
    assert console.client.post(path, json={}).status_code == 403
    assert console.client.post(path, json={}, headers={"X-CSRF-Token": "forged"}).status_code == 403
    # A cross-site form: right cookie (a browser sends it), token missing, foreign origin.
    assert console.client.post(path, data={"csrf": console.csrf},
                               headers={"origin": "https://evil.example"}).status_code == 403
    assert console.client.post("/staff/login", data={"name": "kim", "password": "x"}).status_code == 403
    ((status, assignee),) = site.rows(select(Conversation.status, Conversation.assignee_id))
    assert (status, assignee) == ("waiting", None)
    assert console.act(path).status_code == 200


def test_staff_cannot_open_admin_pages_or_endpoints(site: Site) -> None:
    staff = site.console()
    staff.sign_in("kim")
    assert staff.get("/admin/users").status_code == 403
    assert staff.act("/admin/users", {"name": "mallory", "password": "long enough pw", "role": "admin"}
                     ).status_code == 403
    assert not site.rows(select(StaffUser.id).where(StaffUser.name == "mallory"))
    admin = site.console()
    admin.sign_in("park")
    assert admin.get("/admin/users").status_code == 200
    created = admin.client.post("/admin/users", data={"csrf": admin.csrf, "name": "jung", "password": "long enough pw",
                                                      "role": "staff", "ui_language": "en"})
    assert created.status_code == 303
    assert site.rows(select(StaffUser.role).where(StaffUser.name == "jung")) == [("staff",)]
    assert site.rows(select(AuditEntry.action).where(AuditEntry.action == "account_created_by_admin"))


def test_a_colleagues_conversation_needs_an_audited_take_over(site: Site) -> None:
    from hamkke.db.models import Conversation

    with httpx.Client(base_url=site.url) as resident:
        resident.post("/kakao/skill", json=kakao_request("a person please", "colleague-resident"))
    ((conversation_id,),) = site.rows(select(Conversation.id))
    kim, lee = site.console(), site.console()
    kim.sign_in("kim")
    lee.sign_in("lee")
    assert kim.act(f"/staff/conversations/{conversation_id}/assign").status_code == 200
    for action in ("reply", "resolve", "transfer", "translate"):
        refused = lee.act(f"/staff/conversations/{conversation_id}/{action}", {"text": "안녕하세요", "to": 1})
        assert refused.status_code == 409, action
    assert lee.act(f"/staff/conversations/{conversation_id}/takeover").status_code == 200
    assert lee.act(f"/staff/conversations/{conversation_id}/reply", {"text": "Hello"}).status_code == 200
    trail = site.rows(select(AuditEntry.action, AuditEntry.detail).where(
        AuditEntry.conversation_id == conversation_id).order_by(AuditEntry.id))
    actions = [action for action, _detail in trail]
    assert actions[:3] == ["assigned", "taken_over", "replied"]
    assert trail[1][1] == {"previous_holder": site.rows(select(StaffUser.id).where(StaffUser.name == "kim"))[0][0]}
