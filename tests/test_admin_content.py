"""Admins edit services, events, programme rules and canned replies (issue 13), over real HTTP.

The gateway runs in uvicorn on a free port against a migrated and seeded
SQLite file; an admin's browser fills the forms as the pages render them
(every field the page holds, changed where the test says). The action
server's code runs in this process against the same file, as the separate
process does, so "live at once" is checked on every read path: the JSON API,
the actions the conversation uses, and the eligibility rules.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

import hamkke.db.session as db_session
from actions.directory import ActionFindServices, ActionListEvents
from actions.eligibility import ActionEligibilityResult, ValidateEligibilityForm
from actions.services import ActionServiceInfo
from bot.app import create_app
from bot.console.admin_content import Recurrence
from hamkke import clock
from hamkke.config import Settings, get_settings
from hamkke.db.models import AuditEntry, CannedReply, ContentOrigin, ContentState, Event, Program, Service, StaffUser
from tests.console_client import Console, make_user, query
from tests.helpers import Gateway, LocalServer, greeting_rasa

SERVICE = "immigration-contact-center"  # answered by its own intent, ask_immigration_contact
SOURCE = "https://www.hikorea.go.kr/notice/2026-05-01"


@dataclasses.dataclass
class Site:
    url: str
    settings: Settings
    opened: list[Console] = dataclasses.field(default_factory=list)

    def console(self, name: str) -> Console:
        console = Console(self.url)
        self.opened.append(console)
        assert console.sign_in(name).status_code == 303
        return console

    def rows(self, statement: Any) -> list[Any]:
        return query(self.settings.database_url, statement)

    def one(self, statement: Any) -> Any:
        (row,) = self.rows(statement)
        return row[0]

    def version(self) -> int:
        return int(self.one(select(ContentState.version)) or 0) if self.rows(select(ContentState.version)) else 0


@pytest.fixture
def site(settings: Settings) -> Iterator[Site]:
    with LocalServer(greeting_rasa) as rasa:
        configured = dataclasses.replace(settings, rasa_url=rasa.url, actions_url=rasa.url)
        with Gateway(create_app(configured)) as gateway:
            make_user(configured.database_url, "kim", "staff")
            make_user(configured.database_url, "park", "admin", ui_language="en")
            running = Site(gateway.url, configured)
            yield running
            for console in running.opened:
                console.close()


@pytest.fixture
def actions_db(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The action server's database (``get_database()``) is the test's file."""
    monkeypatch.setenv("HAMKKE_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run_action(action: Any, tracker: Tracker, method: str = "run") -> tuple[Any, list[dict[str, Any]]]:
    """Run one action as the action server does (its own engine, disposed afterwards)."""
    async def go() -> tuple[Any, list[dict[str, Any]]]:
        db_session._db = None
        dispatcher = CollectingDispatcher()
        try:
            if method == "run":
                result = await action.run(dispatcher, tracker, {})
            else:
                result = await getattr(action, method)([], dispatcher, tracker, {})
        finally:
            await db_session.get_database().dispose()
            db_session._db = None
        return result, dispatcher.messages
    return asyncio.run(go())


def tracker(text: str, intent: str, lang: str = "en", slots: Optional[dict[str, Any]] = None,
            entities: Optional[list[dict[str, Any]]] = None) -> Tracker:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": entities or [],
             "metadata": {"lang": lang, "channel": "kakao"}}
    return Tracker.from_dict({"sender_id": "r1", "slots": slots or {}, "latest_message": parse,
                              "events": [{"event": "user", "text": text, "parse_data": parse}],
                              "active_loop": {}, "latest_action_name": "action_listen"})


class FormReader(HTMLParser):
    """What a browser submits for the form posting to ``action``: every field as the page rendered it."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.found = False
        self.fields: dict[str, str] = {}
        self.textarea: Optional[str] = None
        self.select: Optional[str] = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
            self.found = self.found or self.inside
            return
        if not self.inside:
            return
        name = a.get("name") or ""
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[name] = a.get("value") or "on"
            else:
                self.fields[name] = a.get("value") or ""
        elif tag == "textarea":
            self.textarea = name
            self.fields[name] = ""
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select:
            if self.select not in self.fields or "selected" in a:
                self.fields[self.select] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.fields[self.textarea] += data


def form_of(console: Console, page: str, action: str) -> dict[str, str]:
    response = console.get(page)
    assert response.status_code == 200, response.text
    reader = FormReader(action)
    reader.feed(response.text)
    assert reader.found, f"no form posting to {action} on {page}"
    return reader.fields


def post(console: Console, action: str, fields: dict[str, Any]) -> Any:
    return console.client.post(action, data={**fields, "csrf": console.csrf})


def api_service(site: Site, slug: str, lang: str = "en") -> Optional[dict[str, Any]]:
    found = Console(site.url)
    site.opened.append(found)
    response = found.client.get("/api/services", params={"lang": lang})
    assert response.status_code == 200
    return next((s for s in response.json() if s["slug"] == slug), None)


def audits(site: Site, action: str) -> list[AuditEntry]:
    return [row[0] for row in site.rows(select(AuditEntry).where(AuditEntry.action == action)
                                        .order_by(AuditEntry.id))]


# -- permissions ----------------------------------------------------------------------------------

PAGES = ["/admin/content", "/admin/content/services/new", f"/admin/content/services/{SERVICE}",
         "/admin/content/events/new", "/admin/content/events/world-day-2026",
         "/admin/content/programs/culture-nuri/2026", "/admin/content/programs/culture-nuri/2026/next",
         "/admin/content/canned/new", "/admin/content/canned/checking"]
POSTS = ["/admin/content/services", f"/admin/content/services/{SERVICE}", f"/admin/content/services/{SERVICE}/retire",
         "/admin/content/events", "/admin/content/events/world-day-2026",
         "/admin/content/events/world-day-2026/retire", "/admin/content/events/world-day-2026/next",
         "/admin/content/programs", "/admin/content/programs/culture-nuri/2026",
         "/admin/content/programs/culture-nuri/2026/retire", "/admin/content/canned", "/admin/content/canned/checking",
         "/admin/content/canned/checking/retire"]


def test_staff_get_403_on_every_content_page_and_post(site: Site) -> None:
    admin, staff = site.console("park"), site.console("kim")
    for page in PAGES:
        assert admin.get(page).status_code == 200, page
        assert staff.get(page).status_code == 403, page
    before = site.version()
    for action in POSTS:
        # A staff member's own valid CSRF token does not make them an admin.
        response = post(staff, action, {"source": "x", "slug": "x", "retired": "1"})
        assert response.status_code == 403, action
    assert site.version() == before
    assert not site.rows(select(AuditEntry).where(AuditEntry.action.like("content_%")))
    # Signed out: the sign-in page, never the content.
    anonymous = Console(site.url)
    site.opened.append(anonymous)
    assert anonymous.get("/admin/content").status_code in (303, 307)


def test_lists_show_verified_date_confidence_source_state_and_flags(site: Site, frozen: Callable[[str], None]) -> None:
    frozen("2027-03-01T10:00:00+09:00")  # the seeded facts were verified on 2026-02-01: over a year ago
    admin = site.console("park")
    page = admin.get("/admin/content").text
    for section in ("Services and helplines", "Events", "Programmes (per year)", "Canned replies"):
        assert section in page
    assert "2026-02-01" in page and "verified over a year ago" in page
    assert "uncertain (L)" in page  # confidence L records exist (events at their usual date)
    assert "https://www.khan.co.kr/article/202602020920001" in page  # a programme's source
    assert "/admin/content/programs/culture-nuri/2026/next" in page
    assert "/staff/canned" in page
    # An unreachable service (no phone, address or website) is flagged; stale is not when verified today.
    frozen("2026-03-01T10:00:00+09:00")
    fields = form_of(admin, f"/admin/content/services/{SERVICE}", f"/admin/content/services/{SERVICE}")
    fields.update(phone="", website="", address_ko="", address_en="", address_ru="", address_vi="", source="test")
    assert post(admin, f"/admin/content/services/{SERVICE}", fields).status_code == 303
    row = next(line for line in admin.get("/admin/content").text.split("<tr") if f"<small>{SERVICE}</small>" in line)
    assert "unreachable" in row and "verified over a year ago" not in row
    make_user(site.settings.database_url, "choi", "admin", ui_language="ko")  # the page speaks Korean to her
    korean = site.console("choi")
    assert "연락처 없음" in korean.get("/admin/content").text


# -- a service edited: live at once, audited, verified today ---------------------------------------


def test_a_service_phone_edited_by_an_admin_is_what_the_api_and_the_actions_give_at_once(
        site: Site, actions_db: None) -> None:
    admin = site.console("park")
    page = admin.get(f"/admin/content/services/{SERVICE}").text
    # Every language side by side.
    for lang in ("ko", "en", "ru", "vi"):
        for field in ("name", "description", "address", "hours"):
            assert f'name="{field}_{lang}"' in page
    before_version = site.version()
    fields = form_of(admin, f"/admin/content/services/{SERVICE}", f"/admin/content/services/{SERVICE}")
    assert fields["phone"] == "1345" and fields["name_vi"]
    fields.update(phone="062-123-4567", source=SOURCE)
    saved = post(admin, f"/admin/content/services/{SERVICE}", fields)
    assert saved.status_code == 303, saved.text

    # The JSON API, the very next request.
    assert api_service(site, SERVICE)["phone"] == "062-123-4567"
    # The actions the conversation uses (a separate process reading the same database).
    _result, messages = run_action(ActionServiceInfo(), tracker("1345 number?", "ask_immigration_contact"))
    assert messages[0]["custom"]["key"] == "service_card"
    assert messages[0]["custom"]["args"]["service"]["phone"] == "062-123-4567"
    _result, messages = run_action(ActionFindServices(), tracker('/find_service{"category":"visa"}', "find_service",
                                                                 entities=[{"entity": "category", "value": "visa"}]))
    cards = {card["slug"]: card for card in messages[0]["custom"]["args"]["services"]}
    assert cards[SERVICE]["phone"] == "062-123-4567"

    # Who, when and the source, in the audit log and the provenance; verified today; the version moved.
    park = site.one(select(StaffUser.id).where(StaffUser.name == "park"))
    (entry,) = audits(site, "content_edited")
    assert entry.user_id == park
    assert entry.detail["source"] == SOURCE and entry.detail["kind"] == "service" and entry.detail["key"] == SERVICE
    assert entry.detail["changed"] == ["phone", "source_url", "verified_on"]
    assert abs((dt.datetime.now(dt.timezone.utc) - entry.at.replace(tzinfo=dt.timezone.utc)).total_seconds()) < 60
    provenance = site.one(select(ContentOrigin).where(ContentOrigin.kind == "service", ContentOrigin.key == SERVICE))
    assert (provenance.edited_by, provenance.source) == (park, SOURCE)
    service = site.one(select(Service).where(Service.slug == SERVICE))
    assert service.verified_on == clock.today() != dt.date(2026, 2, 1)
    assert service.source_url == SOURCE
    assert site.version() == before_version + 1
    # The page says so, and shows who edited it.
    shown = admin.get(f"/admin/content/services/{SERVICE}?saved=1").text
    assert "Saved" in shown and "park" in shown and SOURCE in shown


def test_a_text_source_is_kept_and_the_record_keeps_its_address(site: Site) -> None:
    admin = site.console("park")
    fields = form_of(admin, f"/admin/content/services/{SERVICE}", f"/admin/content/services/{SERVICE}")
    fields.update(website="https://www.hikorea.go.kr/new", source="Phoned 1345 on 2026-05-02, staff member Lee")
    assert post(admin, f"/admin/content/services/{SERVICE}", fields).status_code == 303
    service = site.one(select(Service).where(Service.slug == SERVICE))
    assert service.website == "https://www.hikorea.go.kr/new"
    assert service.source_url.startswith("http")  # the API's source_url stays an address
    provenance = site.one(select(ContentOrigin.source).where(ContentOrigin.key == SERVICE))
    assert provenance == "Phoned 1345 on 2026-05-02, staff member Lee"


@pytest.mark.parametrize("change, message", [
    ({"name_vi": ""}, "name: no vi"),
    ({"description_ru": " "}, "description: no ru"),
    ({"address_ko": "광주광역시 어딘가"}, "address: no en, ru, vi"),
    ({"opening_hours": "Mo-Fr 9-18"}, "opening_hours"),
    ({"opening_hours": "Xx 09:00-18:00"}, "opening_hours"),
    ({"confidence": "L", "confirm_phone": ""}, "confidence L needs a confirm_phone"),
    ({"source": ""}, "The source of the fact is required."),
    ({"website": "www.example.org"}, "A website starts with http"),
    ({"latitude": "north"}, "latitude: not a number"),
])
def test_invalid_service_input_is_refused_and_nothing_is_saved(site: Site, change: dict[str, str],
                                                              message: str) -> None:
    admin = site.console("park")
    before = site.one(select(Service).where(Service.slug == SERVICE))
    version = site.version()
    fields = form_of(admin, f"/admin/content/services/{SERVICE}", f"/admin/content/services/{SERVICE}")
    fields.update(phone="062-999-0000", source=SOURCE)
    fields.update(change)
    refused = post(admin, f"/admin/content/services/{SERVICE}", fields)
    assert refused.status_code == 400
    assert "Nothing was saved" in refused.text and message in refused.text, refused.text
    # The form keeps what the admin typed.
    assert 'value="062-999-0000"' in refused.text
    after = site.one(select(Service).where(Service.slug == SERVICE))
    assert (after.phone, after.name, after.verified_on, after.opening_hours) == \
        (before.phone, before.name, before.verified_on, before.opening_hours) == \
        ("1345", before.name, dt.date(2026, 2, 1), before.opening_hours)
    assert site.version() == version
    assert not audits(site, "content_edited")


def test_a_new_service_needs_every_language_and_then_is_offered(site: Site, actions_db: None) -> None:
    admin = site.console("park")
    fields = form_of(admin, "/admin/content/services/new", "/admin/content/services")
    fields.update(slug="gwangsan-job-desk", category="labour", district="gwangsan-gu", phone="062-960-0000",
                  name_ko="광산 일자리 창구", name_en="Gwangsan job desk", name_ru="Биржа труда Кwangsan",
                  description_ko="일자리 상담", description_en="Job counselling", description_ru="Работа",
                  description_vi="Tư vấn việc làm", languages_served="ko, ru", confidence="M", source=SOURCE)
    refused = post(admin, "/admin/content/services", fields)
    assert refused.status_code == 400 and "name: no vi" in refused.text
    assert not site.rows(select(Service).where(Service.slug == "gwangsan-job-desk"))
    fields["name_vi"] = "Bàn việc làm Gwangsan"
    assert post(admin, "/admin/content/services", fields).status_code == 303
    assert api_service(site, "gwangsan-job-desk", "vi")["name"] == "Bàn việc làm Gwangsan"
    taken = post(admin, "/admin/content/services", fields)
    assert taken.status_code == 400 and "That slug is taken." in taken.text
    (created,) = audits(site, "content_created")
    assert created.detail["key"] == "gwangsan-job-desk" and created.detail["source"] == SOURCE


# -- retired: never offered ------------------------------------------------------------------------


def test_a_retired_service_is_never_offered_and_can_come_back(site: Site, actions_db: None) -> None:
    admin = site.console("park")
    action = f"/admin/content/services/{SERVICE}/retire"
    # A reason with its source is required.
    assert post(admin, action, {"retired": "1", "source": ""}).status_code == 303
    assert not site.one(select(Service.retired).where(Service.slug == SERVICE))
    assert post(admin, action, {"retired": "1", "source": "Closed: notice " + SOURCE}).status_code == 303
    assert site.one(select(Service.retired).where(Service.slug == SERVICE))
    assert api_service(site, SERVICE) is None
    _result, messages = run_action(ActionServiceInfo(), tracker("1345?", "ask_immigration_contact"))
    assert messages[0]["custom"]["key"] == "service_missing"
    _result, messages = run_action(ActionFindServices(), tracker('/find_service{"category":"visa"}', "find_service",
                                                                 entities=[{"entity": "category", "value": "visa"}]))
    assert SERVICE not in {card["slug"] for card in messages[0]["custom"]["args"]["services"]}
    assert "retired" in admin.get("/admin/content").text
    (entry,) = audits(site, "content_retired")
    assert entry.detail["source"].startswith("Closed")
    assert site.one(select(ContentOrigin.retired).where(ContentOrigin.key == SERVICE))
    assert post(admin, action, {"retired": "0", "source": "Reopened " + SOURCE}).status_code == 303
    assert api_service(site, SERVICE)["phone"] == "1345"


def test_a_retired_event_is_not_listed_by_the_api_or_the_calendar(site: Site, actions_db: None,
                                                                   frozen: Callable[[str], None]) -> None:
    frozen("2026-05-01T10:00:00+09:00")
    admin = site.console("park")
    api = Console(site.url)
    site.opened.append(api)

    def listed() -> set[str]:
        response = api.client.get("/api/events", params={"from": "2026-05-01", "to": "2026-05-31", "lang": "en"})
        return {e["slug"] for e in response.json()}

    assert "world-day-2026" in listed()
    assert post(admin, "/admin/content/events/world-day-2026/retire",
                {"retired": "1", "source": "Cancelled this year " + SOURCE}).status_code == 303
    assert "world-day-2026" not in listed()
    _result, messages = run_action(ActionListEvents(), tracker("what's on in May?", "ask_events"))
    shown = [e["slug"] for m in messages for e in (m["custom"].get("args") or {}).get("events", [])]
    assert shown and "world-day-2026" not in shown


def test_a_retired_programme_is_not_checked(site: Site, actions_db: None, frozen: Callable[[str], None]) -> None:
    frozen("2026-03-10T10:00:00+09:00")
    admin = site.console("park")
    api = Console(site.url)
    site.opened.append(api)
    answers = {"birth_year": 1985, "benefit_status": "near_poor", "nationality": "korean"}
    assert api.client.post("/api/eligibility/culture-nuri", json=answers).status_code == 200
    assert post(admin, "/admin/content/programs/culture-nuri/2026/retire",
                {"retired": "1", "source": "Programme ended " + SOURCE}).status_code == 303
    assert api.client.post("/api/eligibility/culture-nuri", json=answers).status_code == 404
    slots = {"program": "culture-nuri", "birth_year": 1985, "benefit_status": "near_poor", "nationality": "korean"}
    _result, messages = run_action(ActionEligibilityResult(), tracker("/check", "check_eligibility", slots=slots))
    assert messages[0]["custom"]["key"] == "service_missing"
    required, _ = run_action(ValidateEligibilityForm(), tracker("culture nuri", "check_eligibility", slots=slots),
                             "required_slots")
    assert required == ["program"]


# -- programmes: rules live at once; next year's rules --------------------------------------------


def test_a_programme_rule_edited_is_applied_at_once_by_the_api_and_the_conversation(
        site: Site, actions_db: None, frozen: Callable[[str], None]) -> None:
    frozen("2026-03-10T10:00:00+09:00")
    admin = site.console("park")
    page = "/admin/content/programs/culture-nuri/2026"
    fields = form_of(admin, page, page)
    rules = yaml.safe_load(fields["rules"])
    assert rules["amount_krw"] == 150000
    rules["amount_krw"] = 155000
    fields.update(rules=yaml.safe_dump(rules, allow_unicode=True), source="https://www.mnuri.kr/notice/1")
    assert post(admin, page, fields).status_code == 303
    api = Console(site.url)
    site.opened.append(api)
    checked = api.client.post("/api/eligibility/culture-nuri",
                              json={"birth_year": 1985, "benefit_status": "near_poor", "nationality": "korean"})
    assert checked.json()["amount_krw"] == 155000
    slots = {"program": "culture-nuri", "birth_year": 1985, "benefit_status": "near_poor", "nationality": "korean"}
    _result, messages = run_action(ActionEligibilityResult(), tracker("/check", "check_eligibility", slots=slots))
    assert messages[0]["custom"]["args"]["result"]["amount_krw"] == 155000
    # The questions follow the edited rules too: born after the new limit, nothing more is asked.
    rules["born_on_or_before"] = 1980
    fields.update(rules=yaml.safe_dump(rules, allow_unicode=True), source="https://www.mnuri.kr/notice/2")
    assert post(admin, page, fields).status_code == 303
    required, _ = run_action(ValidateEligibilityForm(), tracker("1985", "inform", slots={
        "program": "culture-nuri", "birth_year": 1985}), "required_slots")
    assert required == ["program", "birth_year"]
    program = site.one(select(Program).where(Program.slug == "culture-nuri", Program.year == 2026))
    assert program.verified_on == clock.today()


@pytest.mark.parametrize("rules, message", [
    ("born_on_or_before: 2020\n", "rules.amount_krw must be a whole number"),
    ("[unclosed", "not readable YAML"),
    ("", "missing rules"),
])
def test_broken_programme_rules_are_refused(site: Site, rules: str, message: str) -> None:
    admin = site.console("park")
    page = "/admin/content/programs/culture-nuri/2026"
    before = site.one(select(Program.rules).where(Program.slug == "culture-nuri"))
    fields = form_of(admin, page, page)
    fields.update(rules=rules, source=SOURCE)
    refused = post(admin, page, fields)
    assert refused.status_code == 400 and message in refused.text, refused.text
    assert site.one(select(Program.rules).where(Program.slug == "culture-nuri")) == before


def test_next_years_rules_are_entered_from_this_years(site: Site, frozen: Callable[[str], None]) -> None:
    admin = site.console("park")
    fields = form_of(admin, "/admin/content/programs/culture-nuri/2026/next", "/admin/content/programs")
    assert (fields["slug"], fields["year"]) == ("culture-nuri", "2027")
    assert fields["apply_from"] == "" and fields["apply_until"] == ""  # the dates are to be set
    rules = yaml.safe_load(fields["rules"])
    assert rules["amount_krw"] == 150000  # a copy of 2026's
    fields["source"] = "https://www.mnuri.kr/2027"
    refused = post(admin, "/admin/content/programs", fields)
    assert refused.status_code == 400 and "missing apply_from" in refused.text
    assert not site.rows(select(Program).where(Program.year == 2027))
    rules.update(born_on_or_before=2021, amount_krw=170000)
    fields.update(apply_from="2027-02-01", apply_until="2027-11-30", rules=yaml.safe_dump(rules))
    assert post(admin, "/admin/content/programs", fields).status_code == 303
    program = site.one(select(Program).where(Program.slug == "culture-nuri", Program.year == 2027))
    assert (program.apply_from, program.rules["amount_krw"], program.retired) == (dt.date(2027, 2, 1), 170000, False)
    assert post(admin, "/admin/content/programs", fields).status_code == 400  # entered once
    # In 2027 the new rules answer; in 2026 this year's still do.
    api = Console(site.url)
    site.opened.append(api)
    answers = {"birth_year": 2021, "benefit_status": "near_poor", "nationality": "korean"}
    frozen("2027-03-01T10:00:00+09:00")
    in_2027 = api.client.post("/api/eligibility/culture-nuri", json=answers).json()
    assert (in_2027["year"], in_2027["result"], in_2027["amount_krw"]) == (2027, "eligible", 170000)
    frozen("2026-03-01T10:00:00+09:00")
    assert api.client.post("/api/eligibility/culture-nuri", json=answers).json()["result"] == "not_eligible"
    assert "/admin/content/programs/culture-nuri/2027" in admin.get("/admin/content").text


# -- events: the rule, the next occurrence, the "date confirmed" switch ---------------------------


def test_the_next_occurrence_of_a_yearly_event_is_created_from_its_rule(site: Site,
                                                                        frozen: Callable[[str], None]) -> None:
    frozen("2026-06-01T10:00:00+09:00")
    admin = site.console("park")
    page = "/admin/content/events/world-day-2027"
    # No rule yet: nothing is created.
    refused = post(admin, f"{page}/next", {})
    assert refused.status_code == 409 and "no rule" in refused.text
    fields = form_of(admin, page, page)
    fields.update(rule_kind="date", rule_month="5", rule_day="20", source="Statutory day: Framework Act, art. 19")
    assert post(admin, page, fields).status_code == 303
    assert "every year on 20 May" in admin.get(page).text
    created = post(admin, f"{page}/next", {})
    assert created.status_code == 303 and created.headers["location"].startswith("/admin/content/events/world-day-2028")
    new = site.one(select(Event).where(Event.slug == "world-day-2028"))
    old = site.one(select(Event).where(Event.slug == "world-day-2027"))
    assert (new.start_date, new.end_date, new.date_precision, new.confidence) == \
        (dt.date(2028, 5, 20), dt.date(2028, 5, 20), "approximate", "L")
    assert new.aliases == old.aliases and new.topics == old.topics  # the same series
    assert "2028" in new.name["en"] and "2027" not in new.name["en"]
    assert new.verified_on == clock.today()
    (entry,) = audits(site, "event_next_created")
    assert entry.detail["from_slug"] == "world-day-2027" and entry.detail["rule"]["kind"] == "date"
    # The series' next is 2029 now; 2028 cannot be made twice (from the 2026 page either).
    again = post(admin, "/admin/content/events/world-day-2026/next", {})
    assert again.status_code == 303 and again.headers["location"].startswith("/admin/content/events/world-day-2029")
    # Residents see it as the usual date, to be confirmed, until the switch is on.
    api = Console(site.url)
    site.opened.append(api)

    def in_2028() -> dict[str, Any]:
        found = api.client.get("/api/events", params={"from": "2028-05-01", "to": "2028-05-31", "lang": "en"}).json()
        return next(e for e in found if e["slug"] == "world-day-2028")

    assert in_2028()["date_precision"] == "approximate"
    fields = form_of(admin, "/admin/content/events/world-day-2028", "/admin/content/events/world-day-2028")
    assert "date_confirmed" not in fields
    fields.update(date_confirmed="1", start_date="2028-05-21", end_date="2028-05-21", confidence="H",
                  source="https://www.gwangju.go.kr/world-day-2028")
    assert post(admin, "/admin/content/events/world-day-2028", fields).status_code == 303
    assert (in_2028()["date_precision"], in_2028()["start_date"]) == ("exact", "2028-05-21")


def test_a_lunar_series_gets_its_next_date_from_the_korean_calendar(site: Site, frozen: Callable[[str], None]) -> None:
    frozen("2026-06-01T10:00:00+09:00")
    admin = site.console("park")
    page = "/admin/content/events/chilseok-gossaum-festival-2027"
    fields = form_of(admin, page, page)
    # Jeongwol Daeboreum: the first full moon, 14 days after the lunar new year.
    fields.update(rule_kind="lunar", rule_festival="new_year", rule_calendar="ko", rule_offset="14", source="lunar")
    assert post(admin, page, fields).status_code == 303
    assert post(admin, f"{page}/next", {}).status_code == 303
    new = site.one(select(Event).where(Event.slug == "chilseok-gossaum-festival-2028"))
    assert new.start_date == dt.date(2028, 2, 10)  # lunar new year 27 January 2028 + 14


def test_an_invalid_event_is_refused(site: Site) -> None:
    admin = site.console("park")
    page = "/admin/content/events/world-day-2026"
    before = site.one(select(Event).where(Event.slug == "world-day-2026"))
    for change, message in (({"name_ru": ""}, "name: no ru"),
                            ({"end_date": "2026-05-01"}, "ends before it starts"),
                            ({"start_date": "20 May"}, "a date is YYYY-MM-DD"),
                            ({"start_date": ""}, "a date is YYYY-MM-DD"),  # no day at all: was a 500
                            ({"start_time": "25:00"}, "The start time is HH:MM"),
                            ({"rule_kind": "date", "rule_month": "2", "rule_day": "31"}, "The rule is wrong"),
                            ({"topic_community": "", "topic_culture": "", "topic_festival": ""}, "missing topics")):
        fields = form_of(admin, page, page)
        fields.update(source=SOURCE, **change)
        fields = {k: v for k, v in fields.items() if v != "" or not k.startswith("topic_")}
        refused = post(admin, page, fields)
        assert refused.status_code == 400 and message in refused.text, (change, refused.text)
    after = site.one(select(Event).where(Event.slug == "world-day-2026"))
    assert (after.name, after.start_date, after.verified_on) == (before.name, before.start_date, before.verified_on)


def test_rules_compute_their_dates() -> None:
    assert Recurrence("date", month=5, day=20).on(2030) == dt.date(2030, 5, 20)
    assert Recurrence("date", month=2, day=29).on(2027) == dt.date(2027, 2, 28)
    # The third Saturday of October 2026 is the 17th; the last Sunday of May 2026 the 31st.
    assert Recurrence("weekday", month=10, nth=3, weekday=5).on(2026) == dt.date(2026, 10, 17)
    assert Recurrence("weekday", month=5, nth=-1, weekday=6).on(2026) == dt.date(2026, 5, 31)
    assert Recurrence("weekday", month=12, nth=-1, weekday=3).on(2026) == dt.date(2026, 12, 31)
    # Seollal and Tết fall on different days in 2027 (the calendars' time zones differ).
    assert Recurrence("lunar", festival="new_year", calendar="ko").on(2027) == dt.date(2027, 2, 7)
    assert Recurrence("lunar", festival="new_year", calendar="vi").on(2027) == dt.date(2027, 2, 6)
    assert Recurrence("lunar", festival="mid_autumn", calendar="ko").on(2026) == dt.date(2026, 9, 25)
    assert Recurrence("none").on(2027) is None and not Recurrence().recurs
    with pytest.raises(ValueError):
        Recurrence("weekday", month=13, nth=1).check()


# -- canned replies --------------------------------------------------------------------------------


def test_canned_replies_edited_by_staff_or_admins_are_kept_as_edited(site: Site) -> None:
    staff, admin = site.console("kim"), site.console("park")
    texts = {f"text_{lang}": f"text {lang}" for lang in ("ko", "en", "ru", "vi")}
    assert post(staff, "/staff/canned", {"slug": "checking", "title_ko": "확인", "title_en": "Checking",
                                         **texts}).status_code == 303
    kim = site.one(select(StaffUser.id).where(StaffUser.name == "kim"))
    provenance = site.one(select(ContentOrigin).where(ContentOrigin.kind == "canned", ContentOrigin.key == "checking"))
    assert provenance.edited_by == kim  # an import will not overwrite it
    version = site.version()
    page = "/admin/content/canned/checking"
    fields = form_of(admin, page, page)
    assert fields["text_ru"] == "text ru"
    fields.update(text_vi="", source=SOURCE)
    refused = post(admin, page, fields)
    assert refused.status_code == 400 and "needs texts in ko, en, ru, vi" in refused.text
    fields.update(text_vi="Chúng tôi đang kiểm tra.")
    assert post(admin, page, fields).status_code == 303
    row = site.one(select(CannedReply).where(CannedReply.slug == "checking"))
    assert row.texts["vi"] == "Chúng tôi đang kiểm tra."
    assert site.version() == version + 1
    assert "Chúng tôi đang kiểm tra." in staff.get("/staff/canned").text
    assert post(admin, f"{page}/retire", {"retired": "1", "source": "Not used any more"}).status_code == 303
    assert site.one(select(CannedReply.retired).where(CannedReply.slug == "checking"))
