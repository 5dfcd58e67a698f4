"""FAQ entries and publishing in the admin pages, over real HTTP (the gateway in uvicorn,
a fresh SQLite database, a local server speaking Rasa's REST channel).

The browser test (tests/test_admin_browser.py) does the same with the real Rasa
and a real retraining; these check the rules quickly: who may, what may be
published, that an answer is live for the very next message, that a staff
account can do none of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import create_app
from hamkke.config import Settings
from hamkke.db.models import AuditEntry, ContentOrigin, FaqEntry, FaqExample, ModelJob
from hamkke.i18n import t
from tests.console_client import Console, make_user, query
from tests.helpers import Gateway, LocalServer, answer_texts, kakao_request

TOPIC = "faq_old_furniture"


def rasa(method: str, path: str, body: Any) -> tuple[int, Any]:
    if path.startswith("/webhooks/rest/webhook"):
        said = str(body.get("message") if isinstance(body, dict) else "").lower()
        if "furniture?" in said:  # unsure: "did you mean…?" with the new topic first
            return 200, [{"custom": {"key": "fallback_suggest", "buttons": [
                {"key": f"topic_{TOPIC}", "payload": f"/{TOPIC}"},
                {"key": "topic_faq_garbage", "payload": "/faq_garbage"}]}}]
        if any(word in said for word in ("wardrobe", "шкаф", "tủ")):
            return 200, [{"custom": {"key": TOPIC}}]
        return 200, [{"custom": {"key": "greet"}}]
    return 200, {}


@dataclasses.dataclass
class Site:
    gateway: Gateway
    settings: Settings
    opened: list[Console] = dataclasses.field(default_factory=list)

    def console(self, name: str) -> Console:
        console = Console(self.gateway.url)
        self.opened.append(console)
        assert console.sign_in(name).status_code == 303
        return console

    def rows(self, statement: Any) -> list[Any]:
        return query(self.settings.database_url, statement)

    def labels(self, text: str, user: str) -> list[str]:
        import httpx

        response = httpx.post(f"{self.gateway.url}/kakao/skill", json=kakao_request(text, user), timeout=20)
        return [q["label"] for q in response.json()["template"].get("quickReplies", [])]

    def ask(self, text: str, user: str) -> str:
        import httpx

        response = httpx.post(f"{self.gateway.url}/kakao/skill", json=kakao_request(text, user), timeout=20)
        outputs = response.json()["template"]["outputs"]
        return "\n".join(answer_texts(outputs))


@pytest.fixture
def site(settings: Settings) -> Iterator[Site]:
    with LocalServer(rasa) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url, actions_url=server.url)
        with Gateway(create_app(configured)) as gateway:
            make_user(configured.database_url, "kim", "staff")
            make_user(configured.database_url, "park", "admin")
            running = Site(gateway, configured)
            yield running
            for console in running.opened:
                console.close()


def form(console: Console, **fields: str) -> dict[str, str]:
    return {"csrf": console.csrf, **fields}


ANSWERS = {
    "ko": "큰 가구는 주민센터에 대형폐기물로 신고하고 스티커를 붙이세요. 문의 120.",
    "en": "Report large furniture as bulky waste at your community centre and attach the sticker. Ask 120.",
    "ru": "Крупную мебель заявите как крупногабаритный мусор в 주민센터 и наклейте наклейку. Справки: 120.",
}


def test_a_new_entry_is_a_draft_until_every_language_is_answered_or_falls_back(site: Site) -> None:
    admin = site.console("park")
    assert admin.client.post("/admin/faq", data=form(admin, intent="old_furniture")).status_code == 303
    page = admin.get(f"/admin/faq/{TOPIC}")
    assert page.status_code == 200 and "초안" in page.text  # the admin's console is in Korean
    fields = {f"answer_{lang}": text for lang, text in ANSWERS.items()}
    # Three languages answered, Vietnamese neither answered nor falling back: cannot be published.
    refused = admin.client.post(f"/admin/faq/{TOPIC}", data=form(admin, **fields, status="published",
                                                                 source="https://www.gwangju.go.kr", key_facts="120"))
    assert refused.status_code == 400 and "vi" in refused.text
    entry = site.rows(select(FaqEntry).where(FaqEntry.intent == TOPIC))[0][0]
    assert entry.status == "draft" and entry.answers == {}
    assert site.ask("куда деть старый шкаф", "r1") != ANSWERS["ru"]  # a draft is not answered from
    # Without a source of the change, nothing is saved either.
    assert admin.client.post(f"/admin/faq/{TOPIC}", data=form(admin, **fields, fallback_vi="en",
                                                              status="published")).status_code == 400
    # Vietnamese falls back to English, explicitly: published, and live for the next message.
    saved = admin.client.post(f"/admin/faq/{TOPIC}", data=form(admin, **fields, fallback_vi="en", status="published",
                                                               source="https://www.gwangju.go.kr", key_facts="120"))
    assert saved.status_code == 303, saved.text
    assert site.ask("how do I get rid of a wardrobe", "r2") == ANSWERS["en"]
    assert site.ask("куда деть старый шкаф", "r3") == ANSWERS["ru"]
    assert site.ask("vứt tủ quần áo cũ ở đâu", "r4") == ANSWERS["en"]
    # Without a short name the new topic is not offered as a button (and nothing breaks) ...
    assert site.labels("furniture?", "r5")[0] == t("topic_faq_garbage", "en")
    # ... with one, it is.
    admin.client.post(f"/admin/faq/{TOPIC}", data=form(admin, **fields, fallback_vi="en", status="published",
                                                       label_en="Old furniture", label_ru="Старая мебель",
                                                       label_ko="큰 가구", source="labels"))
    assert site.labels("furniture?", "r7")[0] == "Old furniture"
    too_long = admin.client.post(f"/admin/faq/{TOPIC}", data=form(admin, **fields, fallback_vi="en", status="published",
                                                                  label_en="A name far too long for Kakao", source="x"))
    assert too_long.status_code == 400
    origin = site.rows(select(ContentOrigin).where(ContentOrigin.kind == "faq", ContentOrigin.key == TOPIC))[0][0]
    assert origin.edited_at is not None and origin.source == "labels"


def test_an_answer_edit_is_live_for_the_next_message_and_audited_with_its_source(site: Site) -> None:
    admin = site.console("park")
    admin.client.post("/admin/faq", data=form(admin, intent=TOPIC))
    fields = {f"answer_{lang}": text for lang, text in ANSWERS.items()}
    admin.client.post(f"/admin/faq/{TOPIC}", data=form(admin, **fields, answer_vi="Đồ lớn: báo ở 주민센터. Hỏi 120.",
                                                       status="published", source="first"))
    assert site.ask("tủ cũ", "v1") == "Đồ lớn: báo ở 주민센터. Hỏi 120."
    new = "Đồ nội thất lớn: khai báo trực tuyến hoặc ở 주민센터, dán tem. Hỏi 120."
    admin.client.post(f"/admin/faq/{TOPIC}", data=form(admin, **fields, answer_vi=new, status="published",
                                                       source="https://www.namgu.gwangju.kr notice"))
    assert site.ask("tủ cũ", "v1") == new
    audit = [row[0] for row in site.rows(select(AuditEntry).where(AuditEntry.action == "content_edited"))]
    assert audit[-1].detail["source"] == "https://www.namgu.gwangju.kr notice" and audit[-1].user_id is not None


def test_examples_wait_for_a_retraining_and_one_job_runs_at_a_time(site: Site) -> None:
    admin = site.console("park")
    admin.client.post("/admin/faq", data=form(admin, intent=TOPIC))
    added = admin.client.post(f"/admin/faq/{TOPIC}/examples", data=form(admin, language="ru",
                                                                       text="как выбросить шкаф"))
    assert added.status_code == 303
    # Personal data never becomes a training example.
    assert admin.client.post(f"/admin/faq/{TOPIC}/examples", data=form(
        admin, language="ru", text="позвоните мне 010-1234-5678")).status_code == 400
    examples = [row[0] for row in site.rows(select(FaqExample))]
    assert [(x.language, x.text, x.model_tag) for x in examples] == [("ru", "как выбросить шкаф", None)]
    assert "1" in admin.get("/admin/models").text
    assert admin.act("/admin/models/publish").status_code == 200
    again = admin.act("/admin/models/publish")
    assert again.status_code == 409 and "still queued" in again.json()["error"]
    assert admin.act("/admin/models/restore").status_code == 409
    jobs = [row[0] for row in site.rows(select(ModelJob))]
    assert [(j.kind, j.status) for j in jobs] == [("train", "queued")]
    status = admin.client.get(f"/admin/models/jobs/{jobs[0].id}").json()
    assert status["progress"] == 0 and status["finished"] is False


@pytest.mark.parametrize("path", ["/admin/faq", f"/admin/faq/{TOPIC}", "/admin/models", "/admin/models/jobs/1"])
def test_staff_cannot_open_the_admin_pages(site: Site, path: str) -> None:
    staff = site.console("kim")
    assert staff.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/admin/faq", f"/admin/faq/{TOPIC}", f"/admin/faq/{TOPIC}/examples",
                                  "/admin/models/publish", "/admin/models/restore"])
def test_staff_cannot_call_the_admin_endpoints(site: Site, path: str) -> None:
    staff = site.console("kim")
    response = staff.client.post(path, data=form(staff, intent="x", language="ru", text="x", source="x"),
                                 headers={"X-CSRF-Token": staff.csrf})
    assert response.status_code == 403
    assert site.rows(select(ModelJob)) == [] and site.rows(select(FaqExample)) == []


def test_a_place_an_admin_retired_is_no_longer_named_or_offered(site: Site) -> None:
    import asyncio

    from sqlalchemy import update

    from hamkke.db.models import Service
    from hamkke.db.session import Database
    from hamkke.provenance import record_edit

    before = site.ask("адрес 출입국", "place-1")
    assert "Санму-дэро" in before, before  # the immigration office's address

    async def retire() -> None:
        db = Database(site.settings.database_url)
        async with db.session() as session:
            await session.execute(update(Service).where(Service.slug == "gwangju-immigration-office")
                                  .values(retired=True))
            await record_edit(session, "service", "gwangju-immigration-office", None, "moved (test)")
            await session.commit()
        await db.dispose()

    asyncio.run(retire())
    after = site.ask("адрес 출입국", "place-2")
    assert "Санму-дэро" not in after, after


def test_a_conflict_with_the_repository_is_shown_and_resolved_by_an_admin(site: Site) -> None:
    import asyncio

    from hamkke.content import json_safe, row_values
    from hamkke.db.models import Service
    from hamkke.db.session import Database
    from hamkke.provenance import origin, record_edit

    slug = "gwangju-120-call-center"

    async def make_conflict() -> None:
        db = Database(site.settings.database_url)
        async with db.session() as session:
            service = await session.scalar(select(Service).where(Service.slug == slug))
            assert service is not None
            repo = json_safe(row_values("service", service))
            service.phone = "062-120-0000"  # the admin's edit
            await record_edit(session, "service", slug, None, "admin test")
            (await origin(session, "service", slug)).conflict = {**repo, "phone": "062-120-9999"}  # the files'
            await session.commit()
        await db.dispose()

    asyncio.run(make_conflict())
    staff = site.console("kim")
    assert staff.get("/admin/conflicts").status_code == 403
    assert staff.client.post(f"/admin/conflicts/service/{slug}", data=form(staff, take="repo")).status_code == 403
    admin = site.console("park")
    page = admin.get("/admin/conflicts")
    assert page.status_code == 200 and "062-120-0000" in page.text and "062-120-9999" in page.text
    assert admin.client.post(f"/admin/conflicts/service/{slug}", data=form(admin, take="repo")).status_code == 303
    phone = site.rows(select(Service.phone).where(Service.slug == slug))[0][0]
    assert phone == "062-120-9999"
    assert "062-120-9999" not in admin.get("/admin/conflicts").text
    audit = [row[0] for row in site.rows(select(AuditEntry).where(AuditEntry.action == "content_conflict_resolved"))]
    assert audit and audit[-1].detail["take"] == "repo"
