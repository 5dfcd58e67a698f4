"""Whole conversations: what the resident said before, the place or event they name, the list they page.

The readers (facts stated in passing, places and events by name, "more", a
request for a person) are tested on their own; then the dialogue core is
driven turn by turn against a real HTTP server standing in for Rasa, which
records what the gateway asked it, on a real (SQLite) database. The whole
thing against the real Rasa is ``tests/test_dialogues.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from typing import Any, Optional

import pytest
import yaml

from bot.core import DialogueCore, Incoming
from bot.rasa_client import RasaClient
from hamkke import SUPPORTED_LANGUAGES
from hamkke.config import PROJECT_ROOT, Settings
from hamkke.content import load_events, load_services
from hamkke.db.session import Database
from hamkke.directory import next_occurrence
from hamkke.followups import (
    TOPIC_FACTS_PATH,
    asks_for_more,
    asks_to_check,
    detect_followup,
    match_names,
    match_place,
    topic_facts,
)
from hamkke.handoff_words import asks_for_person
from hamkke.i18n import long_date, t
from hamkke.phrases import named_program, stated_facts
from hamkke.urgent import Urgency, first_line_key
from tests.helpers import LocalServer

TODAY = dt.date(2026, 12, 8)


@pytest.mark.parametrize(("text", "facts"), [
    ("мне 62, можно 문화누리카드?", {"birth_year": 1964}),
    ("시어머니가 62세시고 기초생활수급자세요", {"birth_year": 1964, "benefit_status": "basic_livelihood"}),
    ("yes we are 차상위 family", {"benefit_status": "near_poor"}),
    ("toi 36 tuoi", {"birth_year": 1990}),
    ("2007년생이요", {"birth_year": 2007}),
    ("Я уже гражданство корейское получил", {"nationality": "korean"}),
    ("он гражданин узбекистана не кореи", {"nationality": "foreign"}),
    ("ей 65", {"birth_year": 1961}),
    ("i am marriage migrant, 차상위 family", {"benefit_status": "near_poor", "nationality": "foreign"}),
    ("uzbekistan, F-4", {"nationality": "foreign"}),  # whoever holds a visa is a foreign national
    ("1988", {}),  # a bare number answers only a question
    ("we dont speak korean", {}),
    ("basic korean class", {}),
    # A named benefit is a basic-livelihood recipient, also beside "I don't know what 차상위 is".
    ("не знаю что такое 차상위, мама получает 의료급여", {"benefit_status": "basic_livelihood"}),
    # A household and its income, said in passing (a bare Korean amount after a word for income is in 만원).
    ("how much would it cost, there are three of us in the household and our income is about 4 million",
     {"household_size": 3, "monthly_income_krw": 4_000_000}),
    ("어머니 혼자 사시고 연금이 월 90 정도예요", {"household_size": 1, "monthly_income_krw": 900_000}),
    ("нас двое, пенсия 1,2 млн", {"household_size": 2, "monthly_income_krw": 1_200_000}),
    ("저 외국인이에요", {"nationality": "foreign"}),
    # An international student is a foreign national.
    ("청년문화예술패스 저도 받을수있어요? 유학생이에요", {"nationality": "foreign"}),
    ("em la du hoc sinh", {"nationality": "foreign"}), ("I'm an international student", {"nationality": "foreign"}),
    ("я иностранный студент", {"nationality": "foreign"}),
])
def test_facts_stated_in_passing(text: str, facts: dict[str, Any]) -> None:
    assert stated_facts(text, TODAY) == facts


def test_programmes_by_their_own_names_and_can_i_get_it() -> None:
    assert named_program("мне можно 문화누리카드?") == "culture-nuri"
    assert named_program("청년문화예술패스 저도 받을수있어요?") == "youth-culture-pass"
    assert named_program("i need care for my mother") is None  # "care" alone names nothing
    assert asks_to_check("мне можно 문화누리카드?") and asks_to_check("can he get 문화누리카드?")
    assert asks_to_check("the 문화누리카드 lam cho con e dc ko") and not asks_to_check("что такое 문화누리카드")
    assert asks_to_check("хочу маме 문화누리카드 оформить") and asks_to_check("문화누리카드 신청하고 싶어요")


@pytest.mark.parametrize(("text", "fact"), [
    ("what if i late", "penalty"), ("а если не платить что будет", "penalty"), ("neu ko dong thi co sao ko", "penalty"),
    ("안하면요?", "penalty"), ("they can speak vietnamese there?", "languages"), ("베트남말로 상담돼요?", "languages"),
    ("а в месяц?", "fee"), ("а сколько денег дают", "fee"), ("원래 얼마에요?", "fee"), ("co mat tien ko", "fee"),
    ("в какие дни там иностранцев принимают", "hours"), ("а вечером до скольки", "hours"),
    ("когда подавать можно", "when"), ("언제 신청해야돼요?", "when"), ("where apply", "address"),
    ("so how i apply then?", "address"),
    ("thu 4 thi di dau", "address"), ("수요일에 캄보디아 통역있어요?", "languages"), ("только по средам?", "hours"),
    ("132 в субботу можно позвонить?", "hours"), ("토요일에 전화해도 돼요?", "hours"),
    ("phone number on sunday?", "phone"), ("그 번호 토요일에도 전화돼요?", "hours"),
    ("can i call that number on saturday", "hours"), ("토요일 전화번호요?", "phone"),
    # The resident's own free day is no price ("only sunday free"); "sunday free?" still asks one.
    ("i work mon to sat, only sunday free", "hours"), ("sunday free?", "fee"),
    ("어떤 거 해줘요? 목욕도 돼요?", "services"), ("на что быстро потратить в кванджу", "use"),
    ("what can i spend it on", "use"), ("юрист бесплатно для развода есть?", None),
    # time gone by, said as a fact: the caller reads it against the topic's deadline
    ("chuyen 1 thang roi", "late"), ("уже месяц прошёл", "late"), ("한 달 지났어요", "late"),
    ("i moved 3 weeks ago", "late"),
    # how to reach them, a person of a language: the place's phone, its languages (the classifier took both for a
    # request for staff)
    ("lien lac ntn", "phone"), ("как связаться", "phone"), ("연락 어떻게 해요", "phone"),
    ("nepali person there?", "languages"), ("co nguoi viet o do ko", "languages"), ("toi la nguoi viet", None),
    ("and if i miss a 4th one?", "penalty"), ("а в 2027 сколько будет минималка?", None),
    # "do they have …?" about the place just shown; a language asked that way is still the languages
    ("do they have english newspaper or smth", "has"), ("у них есть библиотека?", "has"),
    ("거기 도서관도 있어요?", "has"), ("там есть кто по-русски?", "languages"),
    # "And next year?", also "from January": when the rule changes.
    ("내년은요", "next_year"), ("nam sau co tang ko", "next_year"), ("а с января больше будет?", "next_year"),
    # A student's year or university: the conditions that depend on them.
    ("2학년이에요", "conditions"), ("e hoc o 전남대", "conditions"), ("я на втором курсе", "conditions"),
    ("i'm in second year", "conditions"),
    # Whether it can be done without a paper.
    ("а без 등록증 точно возьмут?", "documents"), ("외국인등록 아직 안했는데 돼요?", "documents"),
    ("can she enrol without the ARC?", "documents"),
    # Free advice, also asked with "where".
    ("бесплатно где то консультируют?", "advice"), ("free legal advice where?", "advice"),
    ("tu van mien phi o dau", "advice"), ("а сколько там денег", "fee"),
    # Big things after the rubbish rules.
    ("con tu lanh cu thi bo sao", "appliances"), ("냉장고는요?", "appliances"), ("and old sofa?", "large_items"),
    ("а диван куда?", "large_items"), ("con cai tu go to thi bo sao", "large_items"),
    ("после работы можно прийти?", "hours"), ("tan ca roi di dc ko", "hours"), ("퇴근하고 가도 돼요?", "hours"),
    # Which grade a child joins at school: the school topics' conditions.
    ("vo lop may", "conditions"), ("в какой класс пойдёт?", "conditions"), ("what grade will she be in?", "conditions"),
    ("몇 학년으로 들어가요?", "conditions"),
    # A day with "open" asks the hours; a day and "where" without "open": where to go that day.
    ("hom nay thu 3 co cho nao mo k", "hours"), ("where is it open on sunday?", "hours"),
    # Whom to ask is where to go with it.
    ("which office do we ask?", "address"), ("к кому обращаться?", "address"), ("누구한테 물어봐요?", "address"),
    ("신청은 했었는데 한번도 안썼어요", "balance"), ("i never used it", "balance"), ("chua dung lan nao", "balance"),
    # A place to meet someone in person is a question of its own, not which languages the last place speaks.
    ("러시아어하는 사람 직접 만나서 얘기할수있는곳", None), ("хочу поговорить лично с кем-то по-русски", None),
    ("do they speak russian?", "languages"),
    # Where help comes in a language: the languages fact, which says where.
    ("где помогут по русски с этим", "languages"), ("o dau co nguoi noi tieng viet", "languages"),
])
def test_more_follow_up_facts(text: str, fact: Optional[str]) -> None:
    assert detect_followup(text) == fact


def test_how_many_hours_is_not_opening_hours() -> None:
    assert detect_followup("how many hours i can work") is None


def _service_aliases() -> dict[str, list[str]]:
    return {s["slug"]: list(s.get("aliases") or []) for s in load_services()}


@pytest.mark.parametrize(("text", "slug"), [
    ("조선대병원 전화번호요", "chosun-university-hospital"),
    ("адрес 출입국", "gwangju-immigration-office"),
    ("dia chi trung tam suc khoe nguoi di cu", "migrant-health-center"),
    ("chonnam uni hospital phone?", "chonnam-national-university-hospital"),
    ("телефон центра 고려인마을", "goryeoin-village-support-center"),
    ("노동청 어디", "gwangju-labour-office"),
    ("120 number", "gwangju-120-call-center"),
    ("where is the international center", "gwangju-international-center"),
    # a Korean name inside a sentence of another language, with its case ending ("в 조선대 больнице")
    ("говорят в 조선대 больнице есть центр для иностранцев", "chosun-university-hospital"),
    ("benh vien 전남대 o dau", "chonnam-national-university-hospital"),
])
def test_places_by_the_names_residents_use(text: str, slug: str) -> None:
    assert match_place(text, _service_aliases()) == slug


# ("международный центр" alone is not GIC: Russian-speaking patients use it of the hospitals' international centres.)
@pytest.mark.parametrize("text", ["which hospital is open", "больница рядом", "my salary is 1200000", "센터 어디예요",
                                  "где находится международный центр"])
def test_a_kind_of_place_names_no_place(text: str) -> None:
    assert match_place(text, _service_aliases()) is None


async def test_a_place_nobody_can_reach_is_not_offered(db: Database) -> None:
    from sqlalchemy import select

    from hamkke.db.models import Service
    from hamkke.directory import ServiceQuery, find_services, reachable

    async with db.session() as session:
        everything = list((await session.scalars(select(Service))).all())
        found = await find_services(session, ServiceQuery(category="health"))
    unreachable = {s.slug for s in everything if not reachable(s)}
    assert found and not unreachable & {s.slug for s in found}


def test_events_by_name_at_their_next_occurrence() -> None:
    events = load_events()
    aliases = {e["slug"]: list(e.get("aliases") or []) for e in events}
    assert match_names("when is tet next year", aliases) == ["vietnamese-tet-gwangju-2027"]
    assert match_names("한국 설날은요?", aliases) == ["goryeoin-village-seollal-2027"]
    world_days = match_names("what about world day?", aliases)
    assert len(world_days) == 3  # every year of the series; the next one is chosen
    # "5.18" alone is the ceremony (its eve has a longer name); the Day of Goryeoin as Goryeoin write it.
    assert set(match_names("а 5.18 когда?", aliases)) == {"may-18-ceremony-2026", "may-18-ceremony-2027"}
    assert "may-18-eve-festival-2027" in match_names("5.18 전야제 몇시", aliases)
    assert "day-of-goryeoin-2027" in match_names("а день корёин когда?", aliases)

    class Row:
        def __init__(self, record: dict[str, Any]) -> None:
            self.slug, self.start_date, self.end_date = record["slug"], record["start_date"], record["end_date"]

    rows = [Row(e) for e in events if e["slug"] in world_days]
    chosen = next_occurrence(rows, TODAY)  # type: ignore[arg-type]
    assert chosen is not None and chosen.slug == "world-day-2027"
    past = next_occurrence([r for r in rows if r.slug != "world-day-2027"], TODAY)  # type: ignore[arg-type]
    assert past is not None and past.slug == "world-day-2026"  # none to come: the latest, said to be past


def test_more_and_a_person() -> None:
    for text in ("more", "ещё", "xem them", "더 있어요?", "next"):
        assert asks_for_more(text), text
    assert not asks_for_more("more information about visa extension please")
    for text in ("можно с живым человеком поговорить по русски?", "상담원 연결해주세요", "toi muon gap nhan vien",
                 "can i talk to a person"):
        assert asks_for_person(text), text
    for text in ("i am a person who needs visa", "사람들이 많아요", "담당자 전화번호"):
        assert not asks_for_person(text), text


def test_dates_as_each_language_writes_them() -> None:
    day = dt.date(2027, 2, 6)
    assert long_date(day, "en") == "February 6, 2027"
    assert long_date(day, "ru").startswith("6 февраля 2027")
    assert long_date(day, "vi") == "6 tháng 2 năm 2027"  # sentences say "ngày {date}"
    assert long_date(day, "ko") == "2027년 2월 6일"
    # An event on one day says its weekday too ("thu may?", "무슨 요일이에요?").
    from bot.replies import format_dates
    assert format_dates("2027-05-20", "2027-05-20", "en") == "Thursday, May 20, 2027"
    assert format_dates("2027-05-20", "2027-05-20", "vi") == "Thứ Năm, 20 tháng 5 năm 2027"
    assert format_dates("2027-05-20", "2027-05-20", "ko") == "2027년 5월 20일 목요일"
    assert format_dates("2027-05-20", "2027-05-20", "ru").startswith("четверг, 20 мая 2027")


def test_topic_facts_are_complete_sourced_and_agree_across_languages() -> None:
    facts = topic_facts()
    faq = {r["intent"] for r in yaml.safe_load((PROJECT_ROOT / "data" / "faq.yml").read_text(encoding="utf-8"))}
    urgent_lines = {first_line_key(kind) for kind in Urgency}
    assert TOPIC_FACTS_PATH.exists() and set(facts) <= faq | urgent_lines and len(facts) >= 30
    allowed = {"address", "hours", "fee", "documents", "penalty", "when", "languages", "use", "conditions", "services",
               "appliances", "large_items", "advice"}
    for topic, by_fact in facts.items():
        assert set(by_fact) <= allowed, topic
        for name, record in by_fact.items():
            assert record.get("source") and record.get("confidence") in ("H", "M", "L") and record.get("verified_on")
            texts = [str(record[lang]) for lang in SUPPORTED_LANGUAGES]
            phones = [set(re.findall(r"(?<![\d-])(?:\d{2,4}-\d{3,4}(?:-\d{4})?|1\d{3})(?![\d-])", text))
                      for text in texts]
            assert all(p == phones[0] for p in phones), (topic, name, phones)
            assert not any(re.search(r"\b20\d\d-\d\d-\d\d\b", text) for text in texts), (topic, name)


# -- the dialogue core, turn by turn, against a stand-in for Rasa ----------------------------------------

Answer = Callable[[str, dict[str, Any]], list[dict[str, Any]]]


class Conversation:
    """One resident talking to the core; Rasa's stand-in answers by ``answer(message, metadata)``."""

    def __init__(self, settings: Settings, db: Database, answer: Answer, user: str = "ctx",
                 classify: Optional[dict[str, str]] = None) -> None:
        self.asked: list[tuple[str, dict[str, Any]]] = []
        self.parsed: list[str] = []  # texts only classified (/model/parse), answered by ``classify``

        def rasa(_method: str, path: str, body: Any) -> tuple[int, Any]:
            if path.endswith("/model/parse"):
                text = str(body.get("text"))
                self.parsed.append(text)
                name = (classify or {}).get(text)
                return 200, {"intent": {"name": name, "confidence": 1.0 if name else 0.0}}
            message, metadata = str(body.get("message")), dict(body.get("metadata") or {})
            self.asked.append((message, metadata))
            return 200, answer(message, metadata)

        self.server = LocalServer(rasa)
        self.settings, self.db, self.user = settings, db, user

    async def __aenter__(self) -> Conversation:
        self.server.__enter__()
        configured = dataclasses.replace(self.settings, rasa_url=self.server.url)
        self.core = DialogueCore(configured, self.db, RasaClient(configured))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.core.rasa.close()
        self.server.__exit__(None, None, None)

    async def say(self, text: str) -> str:
        reply = await self.core.handle(Incoming(channel="kakao", user_key=self.user, text=text))
        assert reply is not None
        return reply.text


def _key(key: str, **args: Any) -> list[dict[str, Any]]:
    return [{"custom": {"key": key, **({"args": args} if args else {})}}]


async def test_a_named_place_answers_for_itself(settings: Settings, db: Database) -> None:
    hospital = next(s for s in load_services() if s["slug"] == "chosun-university-hospital")
    async with Conversation(settings, db, lambda *_: _key("fallback")) as talk:
        phone = await talk.say("조선대병원 전화번호요")
        where = await talk.say("어디에있어요")
    assert hospital["phone"] in phone and hospital["address"]["ko"] in where
    assert talk.asked == []  # neither reached the classifier
    # A question of its own that also names a place is the topic's: "how to extend F-4, where to go, 출입국?"
    async with Conversation(settings, db, lambda *_: _key("faq_visa_extension"), user="topic") as talk:
        answer = await talk.say("здравствуйте подскажите как продлить визу ф4 куда идти 출입국?")
    assert answer.startswith(t("faq_visa_extension", "ru")) and len(talk.asked) == 1


async def test_another_place_named_after_a_card_is_that_place_unless_the_card_has_it(settings: Settings,
                                                                                       db: Database) -> None:
    """ "where is the international center" after the 1345 card is GIC, not 1345's (unknown) address; after
    Chosun University Hospital, whose own record has its international centre, it is that hospital's."""
    services = {s["slug"]: s for s in load_services()}
    card = {"service": {"slug": "immigration-contact-center", "name": services["immigration-contact-center"]["name"]}}
    async with Conversation(settings, db, lambda *_: _key("service_card", **card)) as talk:
        await talk.say("what is the immigration contact centre number?")
        where = await talk.say("where is the international center")
    assert services["gwangju-international-center"]["address"]["en"] in where and "1345" not in where
    hospital = services["chosun-university-hospital"]
    card = {"service": {"slug": hospital["slug"], "name": hospital["name"]}}
    async with Conversation(settings, db, lambda *_: _key("service_card", **card), user="hospital") as talk:
        await talk.say("where is chosun university hospital")
        there = await talk.say("where is the international centre there?")
    assert hospital["address"]["en"] in there and "Jungang-ro" not in there
    # A number is not a common name: "1345" in the immigration office's own text does not make it the office.
    office = services["gwangju-immigration-office"]
    card = {"service": {"slug": office["slug"], "name": office["name"]}}
    async with Conversation(settings, db, lambda *_: _key("service_card", **card), user="1345") as talk:
        await talk.say("где 출입국")
        hours = await talk.say("1345 до скольки работает?")
    assert services["immigration-contact-center"]["hours"]["ru"] in hours


async def test_a_topics_own_facts_come_before_its_place(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda message, _: _key("faq_garbage")) as talk:
        await talk.say("how to throw rubbish")
        when = await talk.say("what time can i put it out?")
    assert "20:00" in when and "05:00" in when
    assert len(talk.asked) == 1


async def test_do_i_need_to_book_after_a_visa_topic(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_visa_extension")) as talk:
        await talk.say("비자 연장 어떻게 해요")
        booking = await talk.say("그냥 가면되요? 예약해야돼요?")
    assert booking.startswith(topic_facts()["faq_visa_extension"]["hours"]["ko"]) and len(talk.asked) == 1


async def test_a_fact_nobody_recorded_says_whom_to_ask(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_driving_transport")) as talk:
        await talk.say("driving licence")
        documents = await talk.say("what should i bring?")
        fee = await talk.say("how much is it?")
    # What every office asks for, and who has the list; a fee nobody recorded: whom to ask.
    assert documents == t("followup_documents_general_1345", "en")
    assert fee == t("followup_unknown_topic", "en", what=t("label_fee", "en").lower(), phone="1345")


async def test_a_students_questions_stay_on_part_time_work(settings: Settings, db: Database) -> None:
    answers = iter([_key("faq_job_search"), _key("faq_korean_classes"), _key("faq_reentry")])
    facts = topic_facts()["faq_job_search"]
    async with Conversation(settings, db, lambda *_: next(answers)) as talk:
        await talk.say("can a D-2 student work part time? how many hours")
        level = await talk.say("i only have TOPIK 2, is that enough")
        summer = await talk.say("and in the summer vacation?")
        first = await talk.say("permission before the first day of work or after?")
    # The classifier would have answered Korean classes and re-entry permits: the topic's facts answer instead.
    assert level.startswith(facts["conditions"]["en"]) and summer.startswith(facts["hours"]["en"])
    assert first.startswith(facts["when"]["en"]) and len(talk.asked) == 1


async def test_a_question_that_starts_a_check_is_answered_before_the_checks_question(settings: Settings,
                                                                                    db: Database) -> None:
    answers = iter([_key("faq_integrated_care"), _key("ask_nationality")])
    async with Conversation(settings, db, lambda *_: next(answers)) as talk:
        await talk.say("my mother needs help with bathing at home, any program?")
        cost = await talk.say("is it free? we are 2 in household, income around 5 million/month")
    # The facts said start the check (sent along, not asked again); the fee asked is answered first.
    message, metadata = talk.asked[-1]
    assert message.startswith("/check_eligibility") and "integrated-care" in message
    assert metadata["stated"] == {"household_size": 2, "monthly_income_krw": 5_000_000}
    assert cost.startswith(topic_facts()["faq_integrated_care"]["fee"]["en"])
    assert cost.endswith(t("ask_nationality", "en"))


async def test_how_to_book_and_the_phone_come_from_what_the_topic_said(settings: Settings, db: Database) -> None:
    facts = topic_facts()
    async with Conversation(settings, db, lambda *_: _key("faq_legal_aid"), user="law") as talk:
        await talk.say("i need a lawyer, my landlord keeps my deposit")
        booking = await talk.say("how do i book an appointment?")
    # The fact that says how to book (the village lawyer, through 1345), not the one that gives hours.
    assert booking.startswith(facts["faq_legal_aid"]["address"]["en"])
    async with Conversation(settings, db, lambda *_: _key("faq_emergency_numbers"), user="night") as talk:
        await talk.say("밤에 여는 소아과 있나요")
        phone = await talk.say("전화번호도")
    # The numbers the topic's places have (the night children's hospital), not its call line's "119".
    assert "062-650-5000" in phone


async def test_a_childs_fever_at_night_lists_the_childrens_clinic_first(settings: Settings, db: Database) -> None:
    clinic = next(s for s in load_services() if s["slug"] == "gwangju-christian-hospital")
    async with Conversation(settings, db, lambda *_: _key("fallback"), user="fever") as talk:
        rooms = await talk.say("my daughter is 3, fever 40 at night, which hospital is open?")
        where = await talk.say("where is it?")
    assert rooms.startswith(t("urgent_medical", "en"))
    first = rooms.split("▪ ")[1]
    assert first.startswith(clinic["name"]["en"]) and clinic["hours"]["en"] in first
    assert clinic["address"]["en"] in where  # the follow-up is about the first of the list
    async with Conversation(settings, db, lambda *_: _key("fallback"), user="chest") as talk:
        adult = await talk.say("my husband has chest pain, which hospital is open?")
    assert not adult.split("▪ ")[1].startswith(clinic["name"]["en"])


async def test_after_an_overstay_the_questions_are_about_leaving(settings: Settings, db: Database) -> None:
    answers = iter([_key("faq_visa_extension"), _key("faq_medical_cost_support"), _key("faq_visa_extension")])
    facts = topic_facts()["urgent_overstay"]
    async with Conversation(settings, db, lambda *_: next(answers)) as talk:
        first = await talk.say("my visa expired 2 months ago what do i do")
        papers = await talk.say("what papers do i bring?")
        amnesty = await talk.say("my friend said there is an amnesty where you leave without a fine, still now?")
        bill = await talk.say("hospital bill too big")
    line = t("urgent_overstay", "en")
    assert first.startswith(line) and papers.startswith(line) and facts["documents"]["en"] in papers
    assert facts["when"]["en"] in amnesty and "28 February 2026" in amnesty
    # A question of its own, however short: answered whole under the line (not dropped as unrelated).
    assert bill.startswith(line) and t("faq_medical_cost_support", "en") in bill
    assert len(talk.asked) == 2


async def test_wanting_to_go_home_after_an_overstay_is_how_to_leave(settings: Settings, db: Database,
                                                                     frozen: Any) -> None:
    frozen("2026-12-08T10:00:00+09:00")
    facts = topic_facts()["urgent_overstay"]
    # The classifier's guesses for the messages about leaving: re-entry, the Tết gathering's topic.
    async with Conversation(settings, db, lambda *_: _key("faq_reentry")) as talk:
        first = await talk.say("visa finish already 2 month ago i still here. what i do now pls help")
        home = await talk.say("i want go home nepal but scared at airport they catch me")
        amnesty = await talk.say("the special program for go home without penalty still have?")
    assert first.startswith(t("urgent_overstay", "en"))
    assert home.startswith(t("urgent_overstay", "en")) and facts["documents"]["en"] in home
    assert t("faq_reentry", "en") not in home
    assert facts["when"]["en"] in amnesty and facts["documents"]["en"] not in amnesty  # asked as asked
    async with Conversation(settings, db, lambda *_: _key("faq_visa_extension"), user="tet") as talk:
        await talk.say("visa e9 cua e het han tu thang 9 roi gio sao day")
        tet = await talk.say("e muon ve vn an tet luon")
    assert tet.startswith(t("urgent_overstay", "vi")) and facts["documents"]["vi"] in tet
    # Said in one message, and in Korean and Russian.
    async with Conversation(settings, db, lambda *_: _key("faq_reentry"), user="once") as talk:
        once = await talk.say("my visa expired in october, i just want to go home, what do i need")
    assert once.startswith(t("urgent_overstay", "en")) and facts["documents"]["en"] in once
    for lang, said in (("ko", ["비자 끝났어요 2달 지났어 불법됐어요 어떡해요", "그냥 우리나라 가고싶어요 어떻게해요",
                               "그냥 나라에 돌아가면요?"]),
                       ("ru", ["виза закончилась в ноябре уже", "хочу сам уехать, что надо?"])):
        async with Conversation(settings, db, lambda *_: _key("faq_emergency_numbers"), user=lang) as talk:
            for text in said:
                leave = await talk.say(text)
        assert leave.startswith(t("urgent_overstay", lang)) and facts["documents"][lang] in leave, lang
    # Without an overstay, going home is no departure report ("going home for Tết" asks about the holiday).
    async with Conversation(settings, db, lambda *_: _key("faq_reentry"), user="valid") as talk:
        valid = await talk.say("i want to go home for the holidays, can i come back?")
    assert facts["documents"]["en"] not in valid


async def test_a_district_after_a_topic_is_that_districts_answer(settings: Settings, db: Database) -> None:
    hours = topic_facts()["faq_garbage"]["hours"]
    # The classifier takes a district alone for something else (a job, a list of services).
    answers = {"how do i put out rubbish": "faq_garbage", "мусор как выбрасывать": "faq_garbage",
               "integrated care for my mother": "faq_integrated_care",
               "daycare help for multicultural family?": "faq_childcare"}
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message, "faq_job_search"))) as talk:
        await talk.say("how do i put out rubbish")
        nam = await talk.say("Nam-gu")
    assert nam == hours["en"] and "20:00" in nam and len(talk.asked) == 1
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message, "faq_job_search")),
                            user="ru") as talk:
        await talk.say("мусор как выбрасывать")
        gwangsan = await talk.say("광산구 월곡동")
    # No times for Gwangsan-gu: its neighbourhood's community centre, and 120 that knows where it is.
    assert gwangsan == t("followup_district_centre", "ru", district=t("district_gwangsan-gu", "ru"))
    assert "광산구" in gwangsan and "120" in gwangsan
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message, "faq_job_search")),
                            user="care") as talk:
        await talk.say("integrated care for my mother")
        buk = await talk.say("buk-gu")
    assert buk == t("followup_district_centre", "en", district=t("district_buk-gu", "en"))
    family = next(s for s in load_services() if s["slug"] == "buk-gu-family-center")
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message, "faq_job_search")),
                            user="child") as talk:
        await talk.say("daycare help for multicultural family?")
        centre = await talk.say("buk-gu")
    assert family["name"]["en"] in centre  # childcare's answer sends families to their district's Family Centre
    # A topic with neither (the job search): the classifier reads the district.
    async with Conversation(settings, db, lambda message, _: _key("faq_job_search"), user="job") as talk:
        await talk.say("how to find a job")
        await talk.say("Nam-gu")
    assert len(talk.asked) == 2


async def test_a_number_or_what_to_do_after_an_answer_stays_on_its_topic(settings: Settings, db: Database) -> None:
    """ "5" (months unpaid), "3 thang thi sao", "что делать?" right after the arrears' answer are about the arrears;
    the classifier hears re-entry in any duration and the assistant's menu in "what do I do"."""
    answers = {"не платила 건강보험 несколько месяцев, визу продлят?": "faq_insurance_arrears",
               "e no tien bao hiem 4 thang roi, gia han visa co sao ko": "faq_insurance_arrears",
               "minimum wage?": "faq_minimum_wage"}
    guess = {"5": "insult", "что делать?": "help", "3 thang thi sao": "faq_reentry", "2 months": "faq_reentry"}
    arrears = t("faq_insurance_arrears", "ru")
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message) or guess[message])) as talk:
        await talk.say("не платила 건강보험 несколько месяцев, визу продлят?")
        five = await talk.say("5")
        todo = await talk.say("что делать?")
    assert five.endswith(arrears) and todo.endswith(arrears) and len(talk.asked) == 2
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message) or guess[message]),
                            user="vi") as talk:
        await talk.say("e no tien bao hiem 4 thang roi, gia han visa co sao ko")
        three = await talk.say("3 thang thi sao")
    assert three.endswith(t("faq_insurance_arrears", "vi")) and t("faq_reentry", "vi") not in three
    # After the minimum wage a number is pay or hours (compared with the minimum), and with no topic it is the
    # classifier's.
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message) or guess[message]),
                            user="wage") as talk:
        await talk.say("minimum wage?")
        await talk.say("2 months")
    assert len(talk.asked) == 2
    async with Conversation(settings, db, lambda message, _: _key(guess[message]), user="cold") as talk:
        cold = await talk.say("2 months")
    assert cold == t("faq_reentry", "en")


async def test_a_place_of_the_list_named_by_a_word_of_its_name(settings: Settings, db: Database) -> None:
    """ "phone for chosun?" after a list with Chosun University Hospital: that hospital, not the first of the list
    ("chosun" alone names nothing elsewhere: it is also a university)."""
    services = {s["slug"]: s for s in load_services()}
    shown = [services[slug] for slug in ("chonnam-national-university-hospital", "chosun-university-hospital")]
    cards = [{"slug": s["slug"], "name": s["name"]} for s in shown]
    async with Conversation(settings, db, lambda *_: _key("service_list", services=cards, total=2, shown=2,
                                                           rest=[])) as talk:
        await talk.say("which hospitals have english speaking staff?")
        chosun = await talk.say("phone for chosun?")
        korean = await talk.say("조선대 где?")
    assert shown[1]["phone"] in chosun and shown[0]["phone"] not in chosun
    assert shown[1]["address"]["ru"] in korean
    assert len(talk.asked) == 1
    async with Conversation(settings, db, lambda *_: _key("faq_job_search"), user="cold") as talk:
        await talk.say("phone for chosun?")  # no list: the classifier's
    assert len(talk.asked) == 1


async def test_a_place_named_in_passing_in_a_recent_answer_by_a_word_of_its_name(settings: Settings,
                                                                                 db: Database) -> None:
    """ "조선대 где?" two answers after the emergency numbers, which name "больница университета Чосон
    (조선대학교병원)" among others: that hospital's address, then its phone (which words name a place so:
    tests/test_followups.py)."""
    chosun = next(s for s in load_services() if s["slug"] == "chosun-university-hospital")
    answers = {"куда звонить по-русски?": "faq_emergency_numbers", "а в больницу с переводчиком?":
               "faq_hospital_interpreter"}
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message, "nlu_fallback"))) as talk:
        await talk.say("куда звонить по-русски?")
        await talk.say("а в больницу с переводчиком?")
        where = await talk.say("조선대 где?")
        phone = await talk.say("телефон?")
    assert chosun["address"]["ru"] in where and chosun["phone"] in phone
    assert len(talk.asked) == 2
    async with Conversation(settings, db, lambda *_: _key("faq_job_search"), user="cold") as talk:
        await talk.say("조선대 где?")  # nothing named it: the classifier's
    assert len(talk.asked) == 1


async def test_wednesday_about_work_is_the_labour_offices_wednesday_desk(settings: Settings, db: Database) -> None:
    desk = next(s for s in load_services() if s["slug"] == "labour-office-wednesday-desk")
    async with Conversation(settings, db, lambda *_: _key("faq_severance_pay")) as talk:
        await talk.say("уволился после 3 лет, 퇴직금 не дают")
        where = await talk.say("а лично сходить, в среду где?")
    assert where.startswith(desk["name"]["ru"]) and desk["address"]["ru"] in where
    # Said in the message itself, whatever came before.
    async with Conversation(settings, db, lambda *_: _key("faq_hospital_interpreter"), user="ko") as talk:
        await talk.say("병원 통역 있어요?")
        korean = await talk.say("외국인근로자 상담 수요일에 한다던데 거기 어디예요?")
    assert desk["address"]["ko"] in korean
    # Wednesday in another topic is only a day ("is the clinic open on Wednesday?").
    async with Conversation(settings, db, lambda *_: _key("faq_korean_classes"), user="class") as talk:
        await talk.say("korean classes?")
        other = await talk.say("is it on wednesday?")
    assert desk["name"]["en"] not in other


async def test_the_cards_balance_asked_with_a_story(settings: Settings, db: Database) -> None:
    balance = topic_facts()["faq_culture_nuri"]["penalty"]
    # The classifier takes a card's leftover money for emergency welfare.
    answers = {"문화누리카드 뭐예요": "faq_culture_nuri"}
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message, "faq_emergency_welfare"))) \
            as talk:
        await talk.say("문화누리카드 뭐예요")
        left = await talk.say("my husband has card this year still money left, can use in january?")
        ru = await talk.say("у меня с прошлого раза на карте деньги остались, они сгорят?")
    assert left.startswith(balance["en"]) and ru.startswith(balance["ru"]) and len(talk.asked) == 1


async def test_an_event_named_comes_with_its_days_companion_and_the_night_before(settings: Settings, db: Database,
                                                                                   frozen: Any) -> None:
    frozen("2026-12-08T10:00:00+09:00")
    events = {e["slug"]: e for e in load_events()}
    eve, ceremony = events["may-18-eve-festival-2027"], events["may-18-ceremony-2027"]
    async with Conversation(settings, db, lambda *_: _key("fallback")) as talk:
        both = await talk.say("and 5.18 events?")
        where = await talk.say("where is it?")
    # "5·18" names both days: the eve festival first, then the ceremony; "where?" is about the one named.
    assert both.index(eve["name"]["en"]) < both.index(ceremony["name"]["en"])
    assert ceremony["venue"]["en"] in where and eve["venue"]["en"] not in where
    async with Conversation(settings, db, lambda *_: _key("fallback"), user="ru") as talk:
        await talk.say("хочу сходить на 5.18 церемонию когда она")
        before = await talk.say("а накануне вечером что то бывает?")
    assert before.startswith("• " + eve["name"]["ru"]) and ceremony["name"]["ru"] not in before
    assert len(talk.asked) == 0


async def test_no_korean_said_after_an_answer_is_a_need_for_an_interpreter(settings: Settings, db: Database) -> None:
    answers = {"how to rent a room safely": "faq_housing_lease", "학교 입학 어떻게 해요": "faq_school_enrollment"}
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message, "faq_korean_classes"))) \
            as talk:
        await talk.say("how to rent a room safely")
        bad = await talk.say("my korean is bad")
    assert "1345" in bad and t("faq_korean_classes", "en") not in bad and len(talk.asked) == 1
    # A child at school who speaks no Korean needs Korean support, and learning is asked for: the classifier's.
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message, "faq_korean_classes")),
                            user="school") as talk:
        await talk.say("학교 입학 어떻게 해요")
        await talk.say("한국말을 하나도 못해요 도와주는데 있나요")
        await talk.say("i want to learn because my korean is bad")
    assert len(talk.asked) == 3


async def test_more_pages_the_service_list(settings: Settings, db: Database) -> None:
    services = load_services()
    slugs = [s["slug"] for s in services[:8]]
    first = [{"slug": s["slug"], "name": s["name"]} for s in services[:3]]
    async with Conversation(settings, db, lambda *_: _key("service_list", services=first, total=8, shown=3,
                                                           rest=slugs[3:])) as talk:
        await talk.say("centres that speak russian")
        second = await talk.say("ещё")
        third = await talk.say("more")
        last = await talk.say("more")
    assert services[3]["name"]["ru"] in second and services[5]["name"]["ru"] in second
    assert services[6]["name"]["en"] in third and services[7]["name"]["en"] in third
    assert last == t("finder_no_more", "en") and len(talk.asked) == 1


async def test_an_event_by_name_and_a_period_after_events(settings: Settings, db: Database, frozen: Any) -> None:
    frozen("2026-12-08T10:00:00+09:00")
    tet = next(e for e in load_events() if e["slug"] == "vietnamese-tet-gwangju-2027")
    async with Conversation(settings, db, lambda *_: _key("events_upcoming", events=[])) as talk:
        answer = await talk.say("when is tet next year?")
        january = await talk.say("а в январе?")
    assert tet["name"]["en"] in answer and "February 6, 2027" in answer
    assert talk.asked[-1][0] == "/faq_events" and talk.asked[-1][1]["said"] == "а в январе?"
    assert january  # Rasa's stand-in answered it


async def test_an_event_that_just_ended_says_so_before_the_next(settings: Settings, db: Database, frozen: Any) -> None:
    frozen("2026-12-08T10:00:00+09:00")
    biennale = {e["slug"]: e for e in load_events() if e["slug"].startswith("gwangju-biennale")}
    async with Conversation(settings, db, lambda *_: _key("fallback")) as talk:
        still = await talk.say("is the biennale still on? 비엔날레")
        later = await talk.say("when is the next one")
    assert still.startswith(t("event_last_ended", "en", date="November 15, 2026"))
    assert biennale["gwangju-biennale-2028"]["name"]["en"] in still and "2028" in later
    assert t("event_next_unknown", "en") not in later and talk.asked == []


async def test_how_to_apply_after_the_round_closed_says_when_the_next_opens(settings: Settings, db: Database,
                                                                           frozen: Any) -> None:
    frozen("2026-12-08T10:00:00+09:00")
    async with Conversation(settings, db, lambda *_: _key("faq_culture_nuri"), user="closed") as talk:
        await talk.say("what is 문화누리카드")
        apply = await talk.say("so how do i apply?")
    assert apply.startswith(topic_facts()["faq_culture_nuri"]["address"]["en"])
    assert t("elig_reason_period_closed", "en", year=2026, until_date="2026-11-30") in apply
    assert "1544-3412" in apply and len(talk.asked) == 1


async def test_facts_given_before_the_check_are_not_asked_again(settings: Settings, db: Database,
                                                                frozen: Any) -> None:
    frozen("2026-12-08T10:00:00+09:00")

    def rasa(message: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
        return _key("ask_benefit_status") if message.startswith("/check_eligibility") else _key("faq_culture_nuri")

    async with Conversation(settings, db, rasa) as talk:
        await talk.say("what is the culture nuri card?")
        asked = await talk.say("1988")
        where = await talk.say("where apply")
    message, metadata = talk.asked[-1]
    assert message == '/check_eligibility{"program":"culture-nuri"}' and metadata["stated"]["birth_year"] == 1988
    assert t("ask_benefit_status", "en") in asked
    # A question in the middle of the check: answered from the programme's facts, then the check's question again.
    assert "주민센터" in where and where.rstrip().endswith(t("ask_benefit_status", "en"))
    assert len(talk.asked) == 2


async def test_a_programme_named_with_can_i_get_it_starts_the_check_with_its_answer(
        settings: Settings, db: Database, frozen: Any) -> None:
    frozen("2026-12-08T10:00:00+09:00")
    async with Conversation(settings, db, lambda *_: _key("ask_birth_year"), user="ru") as talk:
        text = await talk.say("Я уже гражданство корейское получил, мне можно 문화누리카드?")
    message, metadata = talk.asked[0]
    assert message == '/check_eligibility{"program":"culture-nuri"}' and metadata["stated"] == {"nationality": "korean"}
    assert text.startswith(t("faq_culture_nuri", "ru")) and t("ask_birth_year", "ru") in text


async def test_switching_language_repeats_the_last_answer(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_school_transfer"), user="vi") as talk:
        await talk.say("con em muon chuyen truong giua nam thi lam sao")
        again = await talk.say("ad tra loi bang tieng Han giup e")
    assert t("faq_school_transfer", "ko") in again
    # After a place: the place again, in the language asked for.
    office = next(s for s in load_services() if s["slug"] == "gwangju-immigration-office")
    async with Conversation(settings, db, lambda *_: _key("fallback"), user="en-ko") as talk:
        await talk.say("where is the immigration office? 출입국")
        again = await talk.say("한국어로 다시 말해주세요")
    assert again.startswith(t("language_changed", "ko")) and office["address"]["ko"] in again


async def test_written_again_for_someone_is_the_last_answer_itself(settings: Settings, db: Database) -> None:
    """ "Write it in Russian so grandmother can read it": what was just said (the hours, the fee, the line to
    call now), not the topic's first answer."""
    museum = next(s for s in load_services() if s["slug"] == "goryeoin-cultural-centre-gyeol")
    async with Conversation(settings, db, lambda *_: _key("fallback")) as talk:
        await talk.say("고려인 문화관 월요일 열어요?")
        again = await talk.say("할머니 읽으시게 러시아어로 써줘")
    assert museum["hours"]["ru"] in again and museum["hours"]["ko"] not in again
    assert museum["address"]["ru"] in again  # (whoever reads it was not in the conversation: where it is, too)
    fee = topic_facts()["faq_garbage"]["fee"]
    async with Conversation(settings, db, lambda *_: _key("faq_garbage"), user="fridge") as talk:
        await talk.say("how do i throw out rubbish")
        await talk.say("how much does it cost?")
        fridge = await talk.say("can you write that fridge part in korean? I want to show my landlord")
    # (whoever reads it was not in the conversation: the topic's answer, then the fact asked)
    assert fridge.endswith(t("faq_garbage", "ko") + "\n\n" + fee["ko"])
    hours = topic_facts()["faq_garbage"]["hours"]
    async with Conversation(settings, db, lambda *_: _key("faq_garbage"), user="nam") as talk:
        await talk.say("how do i throw out rubbish")
        await talk.say("Nam-gu")
        nam = await talk.say("can you write it in korean for my landlord")
    # The topic's answer already says Nam-gu's times: the fact alone, not the same times twice.
    assert nam.endswith(hours["ko"]) and t("faq_garbage", "ko") not in nam
    # Rasa's answer (a programme's, a check's result) is said again from its catalog message.
    async with Conversation(settings, db, lambda *_: _key("faq_culture_nuri"), user="nuri") as talk:
        await talk.say("문화누리카드 뭐예요")
        ru = await talk.say("напиши это по-русски, бабушка прочитает")
    assert t("faq_culture_nuri", "ru") in ru
    # In an emergency the line comes again first, in the new language.
    leave = topic_facts()["urgent_overstay"]["documents"]
    async with Conversation(settings, db, lambda *_: _key("faq_reentry"), user="home") as talk:
        await talk.say("my visa expired in october, i just want to go home, what do i need")
        ko = await talk.say("can you write it in korean? my wife will read")
    assert ko.startswith(t("urgent_overstay", "ko")) and leave["ko"] in ko


async def test_a_page_of_places_is_written_again_as_that_page(settings: Settings, db: Database) -> None:
    """ "More" then "in Korean for my husband": the second page again in Korean, not the first place's card."""
    services = {s["slug"]: s for s in load_services()}
    first = ["gwangju-immigration-office", "gwangju-international-center"]
    second = ["migrant-health-center", "chosun-university-hospital"]
    cards = [{"slug": slug, "name": services[slug]["name"]} for slug in first]
    async with Conversation(settings, db, lambda *_: _key("service_list", services=cards, total=4, shown=2,
                                                           rest=second)) as talk:
        await talk.say("where can foreigners get help")
        more = await talk.say("more")
        again = await talk.say("can you write it in korean for my husband")
    assert services[second[0]]["name"]["en"] in more
    assert all(services[slug]["name"]["ko"] in again for slug in second)
    assert not any(services[slug]["name"]["ko"] in again for slug in first)


async def test_a_person_asked_for_is_a_person_whatever_the_classifier_thinks(settings: Settings,
                                                                             db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("fallback_suggest")) as talk:
        await talk.say("можно с живым человеком поговорить по русски?")
    assert talk.asked[0][0] == "/request_human"


async def test_a_language_name_answering_the_checks_question_is_no_switch(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("ask_nationality")) as talk:
        await talk.say("can i get the culture nuri card?")
        await talk.say("korean")
    assert talk.asked[-1][0] == "korean"  # the form reads it as the nationality
    async with Conversation(settings, db, lambda *_: _key("greet"), user="other") as talk:
        switched = await talk.say("korean")
    assert switched.startswith(t("language_changed", "ko")) and talk.asked == []


async def test_a_question_taken_for_goodbye_stays_on_the_topic(settings: Settings, db: Database) -> None:
    answers = iter([_key("faq_job_search"), _key("goodbye"), _key("goodbye")])
    async with Conversation(settings, db, lambda *_: next(answers)) as talk:
        await talk.say("유학생 아르바이트 해도 돼요?")
        question = await talk.say("학교에 말 안 하고 그냥 일해도 되죠?")
        bye = await talk.say("네 감사합니다 안녕히 계세요")
    assert question.endswith(t("faq_job_search", "ko")) and not question.startswith(t("goodbye", "ko"))
    assert bye == t("goodbye", "ko")


async def test_what_about_another_case_stays_on_the_topic(settings: Settings, db: Database) -> None:
    answers = iter([_key("faq_job_search"), _key("help"), _key("help")])
    async with Conversation(settings, db, lambda *_: next(answers)) as talk:
        await talk.say("유학생 아르바이트 몇 시간까지 돼요?")
        graduated = await talk.say("졸업한 다음에는요?")
        menu = await talk.say("뭐 할 수 있어요 너")
    assert graduated.endswith(t("faq_job_search", "ko"))
    assert menu == t("help", "ko")  # "what can you do?" is still the menu


async def test_the_checks_question_names_its_programme_for_the_questions_in_between(settings: Settings,
                                                                                   db: Database) -> None:
    # The check started by the classifier itself: its question carries the programme (domain.yml).
    asking = [{"custom": {"key": "ask_birth_year", "program": "culture-nuri"}}]
    async with Conversation(settings, db, lambda *_: asking) as talk:
        await talk.say("check eligibility please")
        when = await talk.say("when can we apply then")
    assert when.startswith(topic_facts()["faq_culture_nuri"]["when"]["en"])
    assert when.rstrip().endswith(t("ask_birth_year", "en")) and len(talk.asked) == 1


async def test_next_year_after_a_rule_that_changes_is_when_it_changes(settings: Settings, db: Database) -> None:
    facts = topic_facts()["faq_minimum_wage"]
    for user, lang, first, then in (("ko", "ko", "올해 최저시급 얼마에요?", "내년은요"),
                                    ("ru", "ru", "какая минимальная зарплата?", "а с января больше будет?"),
                                    ("vi", "vi", "luong toi thieu bao nhieu", "nam sau co tang ko")):
        async with Conversation(settings, db, lambda *_: _key("faq_minimum_wage"), user=user) as talk:
            await talk.say(first)
            later = await talk.say(then)
        assert later.startswith(facts["when"][lang]) and "1350" in later and len(talk.asked) == 1, user


async def test_a_students_year_or_university_gives_the_level_asked(settings: Settings, db: Database) -> None:
    facts = topic_facts()["faq_job_search"]
    for user, first, then, lang in (("ko-year", "전남대 유학생인데 알바해도되요?", "2학년이에요", "ko"),
                                    ("vi-uni", "em D-2 nam nhat, di lam them dc bao nhieu tieng", "e hoc o 전남대",
                                     "vi")):
        replies = iter([_key("faq_job_search"), _key("faq_school_transfer")])
        async with Conversation(settings, db, lambda *_, replies=replies: next(replies), user=user) as talk:
            await talk.say(first)
            level = await talk.say(then)
        assert level.startswith(facts["conditions"][lang]) and len(talk.asked) == 1, user


async def test_months_of_missed_premiums_after_insurance_are_what_that_does_to_the_stay(settings: Settings,
                                                                                         db: Database) -> None:
    """ "지금 2달 밀렸어요" after the insurance arrears answer: the rule for up to 3 missed payments (the classifier
    said unpaid wages); after unpaid wages it is the classifier's."""
    penalty = topic_facts()["faq_insurance_arrears"]["penalty"]
    answers = {"남편 건강보험료 밀렸어요 비자연장 안되나요?": "faq_insurance_arrears",
               "월급을 못받았어요": "faq_unpaid_wages"}
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message, "faq_unpaid_wages"))) as talk:
        await talk.say("남편 건강보험료 밀렸어요 비자연장 안되나요?")
        months = await talk.say("지금 2달 밀렸어요")
        await talk.say("월급을 못받았어요")
        await talk.say("2달 밀렸어요")
    assert months == penalty["ko"] and len(talk.asked) == 3


async def test_a_district_in_a_short_sentence_after_a_topic_is_that_districts_answer(settings: Settings,
                                                                                     db: Database) -> None:
    """ "my friend in nam-gu says after 8pm is that right" after the rubbish rules: Nam-gu's times (the classifier
    said the emergency numbers); "con chi e o buk gu thi sao": Buk-gu's community centre. A sentence the
    classifier is sure asks a topic of its own ("my son in nam-gu needs to change school") is that topic."""
    hours = topic_facts()["faq_garbage"]["hours"]
    answers = {"how do i put out rubbish": "faq_garbage", "do rac luc may gio": "faq_garbage"}
    own = "my son in nam-gu needs to change school"
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message, "faq_emergency_numbers")),
                            classify={own: "faq_school_transfer"}) as talk:
        await talk.say("how do i put out rubbish")
        nam = await talk.say("my friend in nam-gu says after 8pm is that right")
        await talk.say("how do i put out rubbish")
        await talk.say(own)
    assert nam == hours["en"] and len(talk.asked) == 3 and talk.asked[-1][0] == own
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message, "faq_driving_transport")),
                            user="vi") as talk:
        await talk.say("do rac luc may gio")
        buk = await talk.say("con chi e o buk gu thi sao")
    assert buk == t("followup_district_centre", "vi", district=t("district_buk-gu", "vi"))


async def test_a_district_after_the_family_centres_answer_is_that_districts_centre(settings: Settings,
                                                                                   db: Database) -> None:
    centre = next(s for s in load_services() if s["slug"] == "dong-gu-family-center")
    answers = iter([_key("faq_family_center"), _key("fallback")])
    async with Conversation(settings, db, lambda *_: next(answers), user="family") as talk:
        await talk.say("다문화가족센터 어디있어요?")
        listed = await talk.say("동구요")
        phone = await talk.say("전화번호좀")
    # That district's family centre first (not the district's hospitals); "phone?" is about it.
    assert listed.index(centre["name"]["ko"]) < 40 and "병원" not in listed
    assert centre["phone"] in phone and "병원" not in phone and len(talk.asked) == 1
    # Another district asked first, then why: the same kind of place there, not the whole answer again.
    seo = next(s for s in load_services() if s["slug"] == "seo-gu-family-center")
    answers = iter([_key("faq_family_center"), _key("faq_family_center")])
    async with Conversation(settings, db, lambda *_: next(answers), user="family-seo") as talk:
        await talk.say("다문화가족센터 어디있어요?")
        await talk.say("동구요")
        other = await talk.say("서구는요? 며느리 친구가 서구 살아서")
    assert other.index(seo["name"]["ko"]) < 40 and centre["name"]["ko"] not in other and len(talk.asked) == 1


async def test_a_switch_asked_in_another_language_is_confirmed_in_it(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_visa_extension"), user="son") as talk:
        confirmed = await talk.say("안녕하세요 우리 엄마가 러시아어만해요. 러시아어로 대답해주세요")
        answer = await talk.say("엄마 외국인등록증 연장 어떻게해요?")
    # The son who asked reads the confirmation; his mother reads the answers.
    assert confirmed.startswith(t("language_changed_to_ru", "ko")) and not re.search("[а-я]", confirmed)
    assert answer.startswith(t("faq_visa_extension", "ru"))
    # Who writes in the language asked for too reads the confirmation in it.
    async with Conversation(settings, db, lambda *_: _key("faq_visa_extension"), user="daughter") as talk:
        confirmed = await talk.say("здравствуйте, можно дальше по корейски? дочке покажу. 한국어로 해주세요")
    assert confirmed.startswith(t("language_changed", "ko"))


async def test_asking_whether_to_call_119_during_an_emergency_keeps_its_first_line(settings: Settings,
                                                                                    db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("fallback"), user="collapsed") as talk:
        await talk.say("친구가쓰러졌는데 안일어나요 ㅠㅠ 어떡해요 빨리")
        then = await talk.say("친구 불법체류인데 119불러도돼요?")
    # Not "call 1345" for the overstay: the emergency is still going on.
    assert then.startswith(t(first_line_key(Urgency.MEDICAL), "ko"))
    async with Conversation(settings, db, lambda *_: _key("fallback"), user="no-emergency") as talk:
        alone = await talk.say("친구 불법체류인데 119불러도돼요?")
    assert alone.startswith(t(first_line_key(Urgency.OVERSTAY), "ko"))


async def test_big_things_after_the_rubbish_rules(settings: Settings, db: Database) -> None:
    facts = topic_facts()["faq_garbage"]
    answers = iter([_key("faq_garbage"), _key("faq_family_invitation"), _key("faq_garbage")])
    async with Conversation(settings, db, lambda *_: next(answers), user="rubbish") as talk:
        await talk.say("ad oi o Nam-gu bo rac luc may gio vay")
        fridge = await talk.say("con tu lanh cu thi bo sao")
        sofa = await talk.say("and old sofa?")
    assert fridge.startswith(facts["appliances"]["vi"]) and "1599-0903" in fridge
    assert sofa.startswith(facts["large_items"]["en"]) and "1599-0903" not in sofa and len(talk.asked) == 1


async def test_free_advice_and_without_a_paper_come_from_the_topics_facts(settings: Settings, db: Database) -> None:
    facts = topic_facts()
    async with Conversation(settings, db, lambda *_: _key("faq_industrial_accident"), user="hurt") as talk:
        await talk.say("в прошлом месяце на работе руку повредил, 사장 не хочет 산재 оформлять")
        free = await talk.say("бесплатно где то консультируют?")
    assert free.startswith(facts["faq_industrial_accident"]["advice"]["ru"]) and "1588-0620" in free
    answers = iter([_key("faq_school_enrollment"), _key("faq_arc_reissue")])
    async with Conversation(settings, db, lambda *_: next(answers), user="grandson") as talk:
        await talk.say("внук приехал из узбекистана 10 лет как в школу записать?")
        without = await talk.say("а без 등록증 точно возьмут?")
    assert without.startswith(facts["faq_school_enrollment"]["documents"]["ru"]) and len(talk.asked) == 1


async def test_the_kind_of_place_just_shown_is_that_place(settings: Settings, db: Database) -> None:
    hospital = next(s for s in load_services() if s["slug"] == "chosun-university-hospital")
    async with Conversation(settings, db, lambda *_: _key("faq_hospital_interpreter"), user="knees") as talk:
        await talk.say("is there hospital with russian interpreter?")
        await talk.say("phone number of chosun hospital pls")
        where = await talk.say("where in the hospital do we go")
        other = await talk.say("which hospital has a dentist?")
    # "the hospital" is Chosun University Hospital, just shown; another question about hospitals is Rasa's.
    assert hospital["address"]["en"] in where and len(talk.asked) == 2
    assert other.startswith(t("faq_hospital_interpreter", "en"))


async def test_a_named_place_whose_languages_nobody_recorded(settings: Settings, db: Database) -> None:
    hospital = next(s for s in load_services() if s["slug"] == "chosun-university-hospital")
    assert hospital.get("languages_served") == ["ko"]  # only Korean recorded: which others, nobody knows
    async with Conversation(settings, db, lambda *_: _key("faq_hospital_interpreter"), user="mother") as talk:
        await talk.say("нужен русский переводчик в больницу маме")
        asked = await talk.say("а в 조선대병원 есть кто по русски?")
        where = await talk.say("адрес")
    # Where it is and whom to ask, then how to get an interpreter there; "адрес" is the hospital's.
    assert asked.startswith(hospital["name"]["ru"]) and hospital["phone"] in asked
    assert t("faq_hospital_interpreter", "ru") in asked
    assert hospital["address"]["ru"] in where and len(talk.asked) == 2



def test_a_childs_late_speech_is_the_family_centres() -> None:
    from hamkke.phrases import service_filters

    assert service_filters("e o 동구, muon hoc tieng han, con trai 4 tuoi noi cham, co cho nao giup k a") == {
        "category": "family", "district": "dong-gu"}
    assert service_filters("сыну 3 года, задержка речи, где помогут?")["category"] == "family"


async def test_a_child_or_a_divorce_after_violence_at_home_says_who_may_stay(settings: Settings, db: Database) -> None:
    stay = topic_facts()["faq_divorce_custody"]["documents"]
    async with Conversation(settings, db, lambda *_: _key("fallback"), user="bathroom") as talk:
        await talk.say("муж опять бьет меня я с ребенком закрылась в ванной помогите пожалуйста")
        child = await talk.say("дочке 4 года она гражданка кореи")
    assert child.startswith(t(first_line_key(Urgency.DOMESTIC_VIOLENCE), "ru")) and stay["ru"] in child
    async with Conversation(settings, db, lambda *_: _key("faq_divorce_custody"), user="friend") as talk:
        await talk.say("ck e say ruou danh e hoai, e dang tron o nha ban. giup e vs")
        divorce = await talk.say("neu ly hon e co o lai han dc k")
    # The topic's own answer says it already: not twice.
    assert "F-6-2" in divorce and divorce.count("F-6-2") == 1



async def test_never_used_in_the_middle_of_a_check_is_answered_then_the_question_again(
        settings: Settings, db: Database) -> None:
    facts = topic_facts()["faq_youth_culture_pass"]
    async with Conversation(settings, db, lambda *_: _key("ask_nationality"), user="pass") as talk:
        await talk.say("딸이 07년생인데 청년문화예술패스 이거 아직 신청할수있나요")
        unused = await talk.say("신청은 했었는데 한번도 안썼어요")
    assert unused.startswith(facts["penalty"]["ko"]) and unused.endswith(t("ask_nationality", "ko"))


async def test_a_number_without_an_address_gets_no_place_note(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_emergency_numbers"), user="uzbek") as talk:
        said = await talk.say("119 전화하면 우즈벡말 돼요??")
    assert t("label_address", "ko") not in said and said.startswith(t("faq_emergency_numbers", "ko")[:20])


async def test_a_question_with_a_request_for_another_language_is_answered_in_it(settings: Settings,
                                                                              db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_korean_classes"), user="ko-vi") as talk:
        text = await talk.say("안녕하세요 아내가 베트남 사람인데 한국어 배울 수 있는 곳 있어요? "
                              "아내가 읽게 베트남어로 답해 주세요")
    message, metadata = talk.asked[0]
    assert "베트남어로" not in message and "한국어 배울" in message and metadata["lang"] == "vi"
    # The husband reads the confirmation in Korean; his wife the answer in Vietnamese.
    assert text.startswith(t("language_changed_to_vi", "ko")) and t("faq_korean_classes", "vi") in text


async def test_i_dont_know_after_the_cards_answer_says_who_knows(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_culture_nuri"), user="ru-unknown") as talk:
        await talk.say("как получить карту культура нури")
        text = await talk.say("не знаю")
    assert text.startswith(t("elig_unknown_benefit_status", "ru")) and len(talk.asked) == 1
    async with Conversation(settings, db, lambda *_: _key("faq_visa_change"), user="ru-unknown-visa") as talk:
        await talk.say("как поменять визу на F-5?")
        text = await talk.say("не знаю")
    assert text.startswith(t("followup_dont_know", "ru")) and "1345" in text and len(talk.asked) == 1


async def test_what_to_bring_to_an_office_names_1345_beside_its_number(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("fallback"), user="bring") as talk:
        await talk.say("where is the immigration office? 출입국")
        documents = await talk.say("what do i bring")
    assert documents == t("followup_documents_general", "en", phone="062-605-5280")
    assert "1345" in documents


async def test_the_chosen_language_named_again_is_no_question_about_languages(settings: Settings,
                                                                            db: Database) -> None:
    answers = {}
    for user, first in (("ru-chosen", "пишите по-русски пожалуйста"), ("ru-detected", "здравствуйте")):
        async with Conversation(settings, db, lambda *_: _key("fallback"), user=user) as talk:
            await talk.say(first)
            await talk.say("где 출입국?")
            speaks = await talk.say("там говорят по-русски?")
            await talk.say("где 출입국?")
            where = await talk.say("а где это? тоже по-русски")
        answers[user] = (speaks, where)
    # Whether someone there speaks it is asked alike, chosen or not; "тоже по-русски" from one who chose
    # Russian is the answer's language: where it is.
    assert answers["ru-chosen"][0] == answers["ru-detected"][0]
    where = answers["ru-chosen"][1]
    assert t("label_address", "ru") in where and t("label_languages", "ru") not in where


async def test_a_kind_of_place_and_a_district_find_those_places(settings: Settings, db: Database) -> None:
    services = {s["slug"]: s for s in load_services()}
    async with Conversation(settings, db, lambda *_: _key("faq_childcare"), user="ko-dong") as talk:
        await talk.say("애 어린이집 어떻게 보내요?")
        text = await talk.say("동구 살아요 가족센터 전화번호")
    # Whatever the topic before: that district's family centre, with its number, and no other district's.
    assert services["dong-gu-family-center"]["name"]["ko"] in text and "062-234-5790" in text
    assert services["nam-gu-family-center"]["name"]["ko"] not in text and len(talk.asked) == 1
    # A district alone after the Korean classes: that district's family centre (it teaches Korean) first.
    async with Conversation(settings, db, lambda *_: _key("faq_korean_classes"), user="en-nam") as talk:
        await talk.say("korean lessons for kids?")
        text = await talk.say("nam-gu")
    names = [services[slug]["name"]["en"] for slug in ("nam-gu-family-center", "kiip-korean-classes")]
    assert names[0] in text and text.index(names[0]) < text.index(names[1][:20]) and len(talk.asked) == 1


async def test_a_check_that_moves_to_another_programme_says_what_that_one_is(settings: Settings,
                                                                            db: Database) -> None:
    def rasa(message: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
        if "돌봄" in message:  # the form moved to integrated care (the resident named it)
            return [{"custom": {"key": "ask_household_size", "program": "integrated-care"}}]
        return [{"custom": {"key": "ask_benefit_status", "program": "culture-nuri"}}]

    async with Conversation(settings, db, rasa, user="ko-care") as talk:
        await talk.say("문화누리카드 받을수있어요? 62살이에요")
        text = await talk.say("아 그리고 시아버지가 거동이 불편하신데 돌봄 받을수있는거 있어요?")
    assert text.startswith(t("faq_integrated_care", "ko")) and text.rstrip().endswith(t("ask_household_size", "ko"))


async def test_a_short_question_of_its_own_during_a_crisis_is_answered_under_the_line(settings: Settings,
                                                                                     db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_unpaid_wages"), user="ru-crisis") as talk:
        await talk.say("все надоело долги зарплату не платят не хочу больше жить")
        text = await talk.say("с зарплатой тоже помогите")
    assert text.startswith(t(first_line_key(Urgency.SUICIDE), "ru")) and t("faq_unpaid_wages", "ru") in text


async def test_a_hand_off_during_an_emergency_keeps_what_to_do_now_first(settings: Settings, db: Database) -> None:
    def rasa(message: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
        if "불났" in message:
            return _key("faq_emergency_numbers")
        return [{"custom": {"key": "handoff_recorded", "handoff": {"reason": "requested"}}}]

    async with Conversation(settings, db, rasa, user="ko-fire") as talk:
        await talk.say("옆집 외국인집에 불났어요 연기 엄청나요")
        text = await talk.say("그집 사람들 한국말 잘 못해요")  # the classifier took it for a request for a person
    assert text.startswith(t(first_line_key(Urgency.FIRE), "ko")) and "119" in text.split("\n")[0]


async def test_a_relatives_age_after_the_cards_answer_gets_the_amount_at_that_age(settings: Settings, db: Database,
                                                                                  frozen: Any) -> None:
    frozen("2026-12-08T10:00:00+09:00")
    async with Conversation(settings, db, lambda *_: _key("faq_domestic_violence"), user="ru-card") as talk:
        await talk.say("мне 63, я 기초생활수급자, что такое 문화누리카드?")
        husband = await talk.say("мужу 66")
        kids = await talk.say("а детям 8 и 14 лет?")
    # Not the classifier's "violence at home" (a husband named): the card's amount at each age, and the round closed.
    assert t("elig_cnuri_amount_age_line", "ru", age=66, amount_krw=150_000) in husband
    assert t("elig_cnuri_amount_age_line", "ru", age=14, amount_krw=160_000) in kids
    assert t("elig_reason_period_closed", "ru", year=2026, until_date="2026-11-30") in husband
    assert len(talk.asked) == 1


async def test_an_answer_asked_for_to_show_someone_switches_back_when_the_asker_writes_again(
        settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_culture_nuri"), user="son-shows") as talk:
        await talk.say("문화누리카드 뭐예요?")
        shown = await talk.say("엄마한테 보여주게 러시아어로 해주세요")
        after = await talk.say("내년에 어디서 신청해요?")
        back = await talk.say("이제 한국어로요")
    assert t("faq_culture_nuri", "ru") in shown
    assert not re.search("[а-я]", after)  # the son writes Korean again: Korean
    assert back.startswith(t("language_changed", "ko"))


async def test_an_answer_asked_to_be_written_for_someone_is_a_copy(settings: Settings, db: Database) -> None:
    # "엄마 한국말 몰라요 러시아말로 써주세요" after an answer: that answer in Russian, for the mother; the son's
    # next question, in Korean, is answered in Korean.
    async with Conversation(settings, db, lambda *_: _key("faq_culture_nuri"), user="son-writes") as talk:
        await talk.say("문화누리카드 뭐예요?")
        written = await talk.say("엄마 한국말 몰라요 러시아말로 써주세요")
        after = await talk.say("내년에 어디서 신청해요?")
    assert t("faq_culture_nuri", "ru") in written
    assert not re.search("[а-я]", after)
    # Asked before any answer, the same request is how the conversation goes on: the mother reads the answers.
    async with Conversation(settings, db, lambda *_: _key("faq_culture_nuri"), user="son-asks-first") as talk:
        await talk.say("엄마 한국말 몰라요 러시아말로 써주세요")
        after = await talk.say("문화누리카드 어디서 신청해요?")
    assert t("faq_culture_nuri", "ru") in after


async def test_what_the_topics_place_lacks_comes_from_the_topic(settings: Settings, db: Database) -> None:
    gic = next(s for s in load_services() if s["slug"] == "gwangju-international-center")
    card = {"service": {"slug": gic["slug"], "name": gic["name"]}}
    answers = iter([_key("faq_korean_classes"), _key("service_card", **card)])
    async with Conversation(settings, db, lambda *_: next(answers), user="ko-weekend") as talk:
        await talk.say("한국어 공짜로 배울수있는데 있어요?")
        await talk.say("GIC 어딨어요?")
        weekend = await talk.say("주말반은 없어요?")
        written = await talk.say("엄마 베트남어밖에 못해요 베트남어로 써주세요")
    # GIC's record has no hours; the Korean classes' hours say the Sunday class, with GIC's number; written for the
    # mother, that fact again in Vietnamese.
    facts = topic_facts()["faq_korean_classes"]["hours"]
    assert weekend.startswith(facts["ko"]) and gic["phone"] in weekend
    assert facts["vi"] in written
    # Not after another topic: the rubbish rules do not answer for GIC's hours.
    answers = iter([_key("faq_garbage"), _key("service_card", **card)])
    async with Conversation(settings, db, lambda *_: next(answers), user="ko-weekend-2") as talk:
        await talk.say("쓰레기 언제 버려요?")
        await talk.say("GIC 어딨어요?")
        hours = await talk.say("몇시에 열어요?")
    assert gic["phone"] in hours and topic_facts()["faq_garbage"]["hours"]["ko"] not in hours


async def test_time_gone_by_after_a_deadline_asks_what_being_late_costs(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_address_change"), user="vi-late") as talk:
        await talk.say("e chuyen nha tu 북구 qua 광산구 co phai khai bao gi ko")
        late = await talk.say("chuyen 1 thang roi")
    assert late.startswith(topic_facts()["faq_address_change"]["penalty"]["vi"]) and len(talk.asked) == 1
    # After a topic without a deadline it is no lateness: the classifier reads it.
    async with Conversation(settings, db, lambda *_: _key("faq_health_insurance"), user="vi-not-late") as talk:
        await talk.say("bao hiem y te co bat buoc ko")
        await talk.say("toi o han 2 thang roi")
    assert len(talk.asked) == 2


async def test_which_hospital_and_no_visa_after_the_aid_for_the_uninsured(settings: Settings, db: Database) -> None:
    facts = topic_facts()
    async with Conversation(settings, db, lambda *_: _key("faq_medical_cost_support"), user="en-aid") as talk:
        await talk.say("my friend no insurance need surgery very expensive any help?")
        which = await talk.say("which hospital?")
        papers = await talk.say("no visa")
        sunday = await talk.say("sunday what time?")
    # The designated hospitals (HIRA's list), then the free clinic for one without papers, and its Sunday hours.
    assert which.startswith(facts["faq_medical_cost_support"]["address"]["en"])
    assert papers.startswith(t("faq_free_clinic", "en"))
    assert "14:00" in sunday and len(talk.asked) == 1
    # After the interpreters' answer, "which hospital?" is the classifier's (their "where" names no hospital).
    async with Conversation(settings, db, lambda *_: _key("faq_hospital_interpreter"), user="en-which") as talk:
        await talk.say("can i get an interpreter at the hospital")
        await talk.say("which hospital?")
    assert len(talk.asked) == 2


async def test_how_to_become_near_poor_says_who_decides(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_naturalization"), user="ru-near-poor") as talk:
        how = await talk.say("как стать 차상위? мне 68, живу одна")
    # Not naturalisation (the classifier heard "стать"): the community centre decides; who among foreigners can be one.
    assert how.startswith(t("benefit_status_how", "ru")) and "주민센터" in how and talk.asked == []
    # Who counts as near-poor (the classifier heard "who are you" in "это кто"): the categories the law names.
    async with Conversation(settings, db, lambda *_: _key("bot_challenge"), user="ru-what-near-poor") as talk:
        what = await talk.say("а 차상위 это кто вообще")
        korean = await talk.say("차상위가 뭐예요?")
    assert what.startswith(t("benefit_status_what", "ru")) and "한부모" in what and talk.asked == []
    assert korean.startswith(t("benefit_status_what", "ru"))  # (the resident's language: Russian)


async def test_do_they_have_after_a_place_is_what_its_record_says(settings: Settings, db: Database) -> None:
    gic = next(s for s in load_services() if s["slug"] == "gwangju-international-center")
    card = {"service": {"slug": gic["slug"], "name": gic["name"]}}
    async with Conversation(settings, db, lambda *_: _key("service_card", **card), user="en-has") as talk:
        await talk.say("whats GIC?")
        has = await talk.say("do they have english newspaper or smth")
    # Its description (which names the Gwangju News) and whom to ask about anything else; not the classifier's guess.
    assert gic["description"]["en"] in has and gic["phone"] in has and len(talk.asked) == 1
    # A named hospital asked where its international centre is: the hospital's own record ("where in the hospital").
    hospital = next(s for s in load_services() if s["slug"] == "chosun-university-hospital")
    async with Conversation(settings, db, lambda *_: _key("faq_hospital_interpreter"), user="en-where-in") as talk:
        where = await talk.say("does chosun uni hospital have international clinic? where in the hospital")
    assert hospital["address"]["en"] in where and talk.asked == []


async def test_two_facts_asked_at_once_are_both_answered(settings: Settings, db: Database) -> None:
    facts = topic_facts()["faq_workplace_change"]
    async with Conversation(settings, db, lambda *_: _key("faq_workplace_change"), user="vi-two") as talk:
        await talk.say("e muon doi cty, e9")
        both = await talk.say("so do co tieng viet ko, chu nhat goi dc ko")
    # When they answer (every day) and whether in Vietnamese: both, not only the first found.
    assert facts["hours"]["vi"] in both and facts["languages"]["vi"] in both and len(talk.asked) == 1


async def test_a_visa_given_alone_after_an_answer_is_the_residents_visa(settings: Settings, db: Database) -> None:
    answers = iter([_key("faq_unpaid_wages"), _key("faq_visa_change")])
    async with Conversation(settings, db, lambda *_: next(answers), user="ru-f4") as talk:
        await talk.say("работодатель не платит зарплату 2 месяца, куда идти?")
        visa = await talk.say("F4")
    # Not "how to change visas" (the classifier's guess): the wages answer again, for an F-4 holder.
    assert visa.startswith(t("followup_visa", "ru", visa="F-4")) and t("faq_unpaid_wages", "ru") in visa
    assert len(talk.asked) == 1


async def test_a_line_whose_languages_nobody_recorded_says_whom_to_ask(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("bot_challenge"), user="en-120") as talk:
        first = await talk.say("is there a city helpline that speaks english?")
        uzbek = await talk.say("uzbek?")
    # The city's call centre by the name residents use, its number, and 1345 for interpreting; not "I'm a bot".
    assert "120" in first and t("label_other_languages", "en") in first and "automated" not in first
    assert "120" in uzbek and t("label_other_languages", "en") in uzbek and len(talk.asked) == 1


async def test_a_day_asked_after_an_answer_that_ends_with_a_clinic_is_the_clinics(settings: Settings,
                                                                                   db: Database) -> None:
    """Health insurance's answer ends with the free clinic for the uninsured: "오늘 화요일인데 몇시부터" asks
    the clinics' hours (the Goryeoin clinic's Tuesdays), not when one must join; "어디에요" then is about them.
    A day no such place names ("토요일에도 열어요?" after the family centres) keeps to the topic."""
    facts = topic_facts()["faq_free_clinic"]
    async with Conversation(settings, db, lambda *_: _key("faq_health_insurance"), user="ko-tuesday") as talk:
        await talk.say("할아버지 한국온지 두달 건강보험 없어요 아프시면 어떻게해요")
        hours = await talk.say("오늘 화요일인데 몇시부터")
        where = await talk.say("어디에요")
    assert hours.startswith(facts["hours"]["ko"]) and where.startswith(facts["address"]["ko"])
    assert len(talk.asked) == 1
    async with Conversation(settings, db, lambda *_: _key("faq_family_center"), user="ko-saturday") as talk:
        await talk.say("가족센터 어디 있어요?")
        saturday = await talk.say("토요일에도 열어요?")
    assert "1577-1366" not in saturday.split("\n")[0] and len(talk.asked) == 1


async def test_a_lines_languages_that_depend_on_the_hour_come_with_its_hours(settings: Settings,
                                                                            db: Database) -> None:
    line = next(s for s in load_services() if s["slug"] == "immigration-contact-center")
    async with Conversation(settings, db, lambda *_: _key("bot_challenge"), user="ko-1345") as talk:
        languages = await talk.say("1345 베트남말도 되요? 와이프가 직접 전화하게")
    # After 18:00 only Korean, English and Chinese: the one who will call needs the hours with the languages.
    assert t("label_languages", "ko") in languages and line["hours"]["ko"] in languages and len(talk.asked) == 0


async def test_no_farewell_under_the_suicide_line_and_i_dont_know_keeps_it(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("goodbye"), user="ru-tired") as talk:
        first = await talk.say("устал не хочу больше жить все надоело")
        then = await talk.say("не знаю")
    line = t(first_line_key(Urgency.SUICIDE), "ru")
    assert first.startswith(line) and t("goodbye", "ru") not in first
    assert then.startswith(line)


async def test_how_many_times_stays_on_the_topic_and_no_thats_all_ends(settings: Settings, db: Database) -> None:
    answers = iter([_key("faq_workplace_change"), _key("faq_visa_change"), _key("bot_challenge")])
    async with Conversation(settings, db, lambda *_: next(answers), user="ko-count") as talk:
        await talk.say("우리 직원이 사업장 변경하고 싶다는데 어떻게 해줘야돼요?")
        count = await talk.say("몇번까지 바꿀수있어요?")
        bye = await talk.say("아니요 됐어요")
    assert count.startswith(t("faq_workplace_change", "ko")) and bye == t("goodbye", "ko")
    assert len(talk.asked) == 1
    async with Conversation(settings, db, lambda *_: _key("thank"), user="ru-bye") as talk:
        await talk.say("спасибо")  # thanks alone: "you're welcome, anything else?" (Rasa's)
        bye = await talk.say("спасибо, больше ничего")
    assert bye == t("goodbye", "ru") and len(talk.asked) == 1


async def test_once_the_resident_is_safe_the_next_question_is_answered_as_it_is(settings: Settings,
                                                                                 db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_workplace_change"), user="vi-safe") as talk:
        first = await talk.say("a oi no lai dam e chay mau mui r, no dang dung ngoai cua phong")
        then = await talk.say("e an toan r. doi cho lam thi can lam gi")
    assert first.startswith(t(first_line_key(Urgency.VIOLENCE), "vi"))
    assert then.startswith(t("faq_workplace_change", "vi"))


async def test_after_violence_a_question_of_its_own_is_answered_under_the_line(settings: Settings,
                                                                              db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_workplace_change"), user="en-violence-job") as talk:
        first = await talk.say("he hitting my friend now in dormitory there is blood")
        job = await talk.say("after this can my friend change company?")
    # What to do now stays first; the workplace change is answered under it, not dropped.
    assert first.startswith(t(first_line_key(Urgency.VIOLENCE), "en"))
    assert job.startswith(t(first_line_key(Urgency.VIOLENCE), "en")) and t("faq_workplace_change", "en") in job


async def test_a_childs_emergency_asking_what_is_open_gets_the_childrens_clinic(settings: Settings,
                                                                                db: Database) -> None:
    services = {s["slug"]: s for s in load_services()}
    lines = [services[slug] for slug in ("kdca-1339", "fire-ambulance-119") if slug in services]
    assert len(lines) == 2
    cards = [{"slug": s["slug"], "name": s["name"]} for s in lines]
    answers = iter([_key("faq_emergency_numbers"), _key("service_list", services=cards, total=2, shown=2, rest=[])])
    async with Conversation(settings, db, lambda *_: next(answers), user="ko-child-night") as talk:
        await talk.say("밤인데 애기 열이 40도 넘어요 약먹여도 안떨어져요 어떻해요")
        open_now = await talk.say("남구 살아요 애기병원 지금 하는데 있어요?")
        phone = await talk.say("전번좀")
    # The phone lines open now are no hospital: the emergency rooms come under "call 119", the children's clinic
    # first, and "phone?" is that clinic's.
    clinic = next(s for s in services.values() if "어린이" in str((s.get("hours") or {}).get("ko") or ""))
    assert open_now.startswith(t(first_line_key(Urgency.MEDICAL), "ko")) and clinic["phone"] in open_now
    assert clinic["phone"] in phone


async def test_where_to_go_after_call_119_is_the_emergency_rooms(settings: Settings, db: Database) -> None:
    services = {s["slug"]: s for s in load_services()}
    rooms = [s for s in services.values() if {"health", "emergency"} <= set(s.get("categories") or [])
             and s.get("address") and s.get("phone")]
    assert rooms
    async with Conversation(settings, db, lambda *_: _key("faq_emergency_numbers"), user="ko-chest") as talk:
        await talk.say("엄마가 가슴이 아파요 한국말 못해요")
        where = await talk.say("어디로 가요?")
    # Not "119's address is unknown": "call 119" first, then the hospitals with an emergency room.
    assert where.startswith(t(first_line_key(Urgency.MEDICAL), "ko"))
    assert all(room["phone"] in where for room in rooms)
    assert "119의 주소" not in where
    # "There" after an answer that named one hospital (the night children's clinic): that hospital, not the list.
    christian = services["gwangju-christian-hospital"]
    async with Conversation(settings, db, lambda *_: _key("faq_emergency_numbers"), user="ko-fever") as talk:
        await talk.say("애기가 열이 40도까지 올라갔어요 밤인데 어떡해요ㅠㅠ")
        night = await talk.say("밤에 여는 소아과 있어요?")
        there = await talk.say("거기 주소요")
        phone = await talk.say("전번도요")
    assert christian["name"]["ko"] in night and "전남대학교병원" not in night
    assert there.startswith(t(first_line_key(Urgency.MEDICAL), "ko")) and christian["address"]["ko"] in there
    assert "전남대학교병원" not in there and christian["phone"] in phone


async def test_help_that_has_come_is_no_place_named(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_emergency_numbers"), user="ko-truck") as talk:
        await talk.say("옆집 외국인집에 불났어요 연기 엄청나요")
        then = await talk.say("소방차 왔어요 이제 어디 연락해야돼요? 캄보디아 사람들이에요")
    # Not "119's address is unknown" (소방 names 119): the classifier answers what comes next.
    assert len(talk.asked) == 2 and then.startswith(t("faq_emergency_numbers", "ko"))


async def test_an_injury_the_hospital_has_seen_to_is_no_emergency_any_more(settings: Settings,
                                                                          db: Database) -> None:
    answers = {"ban e bi may cat vao tay o cty chay mau nhieu lam lam sao bay gio": "faq_emergency_numbers"}
    async with Conversation(settings, db, lambda message, _: _key(answers.get(message, "faq_industrial_accident")),
                            user="vi-cut") as talk:
        first = await talk.say("ban e bi may cat vao tay o cty chay mau nhieu lam lam sao bay gio")
        then = await talk.say("roi, di benh vien r. gio cty ko cho bao 산재, e phai lam sao")
    # "Went to the hospital already": the industrial accident is answered as asked, without "call 119" on top.
    assert first.startswith(t(first_line_key(Urgency.MEDICAL), "vi"))
    assert then.startswith(t("faq_industrial_accident", "vi")) and t(first_line_key(Urgency.MEDICAL), "vi") not in then
    # Still on the way there, it is the emergency.
    async with Conversation(settings, db, lambda *_: _key("faq_emergency_numbers"), user="en-going") as talk:
        await talk.say("my friend cut his hand on a machine, a lot of blood")
        going = await talk.say("should we go to hospital now?")
    assert going.startswith(t(first_line_key(Urgency.MEDICAL), "en"))


async def test_a_visa_given_while_violence_goes_on_keeps_the_line_first(settings: Settings, db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_workplace_change"), user="en-violence-visa") as talk:
        await talk.say("he hitting my friend now in dormitory there is blood")
        await talk.say("after this can my friend change company?")
        visa = await talk.say("yes E-9 also")
    # The visa given is the friend's: the workplace change for an E-9, under the line, not a question about visas.
    assert visa.startswith(t(first_line_key(Urgency.VIOLENCE), "en"))
    assert t("followup_visa", "en", visa="E-9") in visa and t("faq_workplace_change", "en") in visa
    assert len(talk.asked) == 2  # (the emergency and the workplace change; the visa was no question for it)


async def test_help_that_has_come_ends_the_emergency_line(settings: Settings, db: Database) -> None:
    # "fire is out now", "ambulance came": the fire or the ambulance is told as over; the next question is answered.
    cases = (
        ("en-fire-out", "FIRE in my building smoke everywhere",
         "fire is out now. landlord says i pay for damage but it wasnt my room. free lawyer?", "faq_legal_aid", "en"),
        ("en-ambulance", "my coworker fell from ladder not moving",
         "ambulance came. manager say dont tell anybody company will pay hospital", "faq_industrial_accident", "en"),
        ("ru-fire-out", "пожар в квартире дым", "огонь потушили, хозяин говорит платить мне, юрист где бесплатно?",
         "faq_legal_aid", "ru"))
    for user, emergency, over, key, lang in cases:
        async with Conversation(settings, db, lambda *_, key=key: _key(key), user=user) as talk:
            first = await talk.say(emergency)
            then = await talk.say(over)
        assert first.startswith(t("urgent_fire", lang)) or first.startswith(t("urgent_medical", lang)), user
        assert then.startswith(t(key, lang)), (user, then[:80])
        # The classifier is sent what follows the news that help has come.
        said = talk.asked[-1][0]
        assert not re.search(r"fire is out|ambulance came|огонь потушили", said) and len(said.split()) >= 3, said


async def test_where_after_a_topic_without_a_place_says_so_with_the_topics_number(settings: Settings,
                                                                                 db: Database) -> None:
    answers = iter([_key("faq_health_insurance"), _key("faq_job_search")])
    async with Conversation(settings, db, lambda *_: next(answers), user="ko-where") as talk:
        await talk.say("할아버지 한국온지 두달 건강보험 없어요 아프시면 어떻게해요")
        where = await talk.say("어디에요")
    own = re.search(r"\d{4}-\d{4}", t("faq_health_insurance", "ko"))
    assert own is not None
    assert where == t("followup_unknown_topic_own", "ko", what=t("label_address", "ko"), phone=own.group(0))


async def test_can_i_apply_this_year_during_the_check_says_the_round_closed(settings: Settings, db: Database,
                                                                            frozen: Any) -> None:
    frozen("2026-12-08T10:00:00+09:00")
    answers = iter([_key("faq_culture_nuri"), [{"custom": {"key": "ask_birth_year", "program": "culture-nuri"}}]])
    async with Conversation(settings, db, lambda *_: next(answers), user="ko-this-year") as talk:
        await talk.say("문화누리카드 받을수있어요?")
        now = await talk.say("수급자 맞아요 올해 신청돼요?")
    assert "11월 30일" in now and "2월" in now and now.rstrip().endswith(t("ask_birth_year", "ko"))


async def test_korean_closings_and_a_bells_new_year(settings: Settings, db: Database) -> None:
    answers = iter([_key("faq_garbage"), _key("bot_challenge")])
    async with Conversation(settings, db, lambda *_: next(answers), user="ko-bye") as talk:
        await talk.say("쓰레기 언제 버려요")
        bye = await talk.say("ㄴㄴ 됐어 고마워요")
    assert bye == t("goodbye", "ko") and len(talk.asked) == 1


async def test_a_day_after_a_list_of_events_is_that_days_event(settings: Settings, db: Database, frozen: Any) -> None:
    frozen("2026-12-08T10:00:00+09:00")
    may = [e for e in load_events() if str(e["start_date"]).startswith("2027-05")]
    world_day = next(e for e in may if e["slug"].startswith("world-day"))
    listed = [{"slug": e["slug"], "name": e["name"], "start_date": str(e["start_date"]),
               "end_date": str(e["end_date"])} for e in may]
    answers = iter([_key("events_in_period", events=listed, from_date="2027-05-01", to_date="2027-05-31")])
    async with Conversation(settings, db, lambda *_: next(answers), user="en-may20") as talk:
        await talk.say("anything in may?")
        where = await talk.say("what about may 20, where is it?")
        when = await talk.say("and the 18 may one, what time")
    assert world_day["name"]["en"] in where and len(talk.asked) == 1
    assert "May 18, 2027" in when and world_day["name"]["en"] not in when and len(talk.asked) == 1


async def test_a_residents_messages_sent_at_once_are_answered_in_the_order_stored(settings: Settings,
                                                                                  db: Database) -> None:
    """Three messages of one resident arriving together (SQLite, one gateway): Rasa hears them in the order they
    were stored, the first answered before the second starts, although the first takes longest."""
    import asyncio
    import time

    def answer(message: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
        if message == "first question":
            time.sleep(0.3)
        return _key("faq_garbage")

    async with Conversation(settings, db, answer, user="burst") as talk:
        async def send(text: str, after: float) -> None:
            await asyncio.sleep(after)
            await talk.core.handle(Incoming(channel="kakao", user_key="burst", text=text))

        await asyncio.gather(send("first question", 0), send("second question", 0.05),
                             send("third question", 0.1))
    assert [message for message, _ in talk.asked] == ["first question", "second question", "third question"]


async def test_by_when_they_must_pay_is_said_to_be_unknown_not_answered_with_opening_hours(settings: Settings,
                                                                                         db: Database) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_severance_pay"), user="vi-deadline") as talk:
        await talk.say("e nghi viec roi ma cty chua tra 퇴직금")
        deadline = await talk.say("bao lau thi ho phai tra")
    # Nobody recorded the deadline: that, and the number of the topic's place (the labour office), not its hours.
    assert deadline == t("followup_unknown_topic_own", "vi", what=t("label_deadline", "vi").lower(),
                         phone="062-975-6200")
    assert len(talk.asked) == 1


@pytest.mark.parametrize(("text", "fact"), [
    ("bao lau thi ho phai tra", "deadline"), ("how long do they have to pay?", "deadline"),
    ("언제까지 줘야 돼요?", "deadline"), ("khi nao mo cua", "hours"), ("bao lau", None),
])
def test_a_deadline_is_not_opening_hours(text: str, fact: Optional[str]) -> None:
    assert detect_followup(text) == fact


@pytest.mark.parametrize(("lang", "pay", "yes"), [
    ("ru", "мне платят 1 900 000 за месяц, это нормально?", "да полный день, 5 дней"),
    ("en", "i get 1.8 million won a month, is it ok?", "yes"),
    ("ko", "한달에 180만원 받아요 괜찮아요?", "네 풀타임이에요"),
])
async def test_full_time_said_after_a_monthly_pay_below_the_minimum_confirms_it(
        settings: Settings, db: Database, lang: str, pay: str, yes: str) -> None:
    async with Conversation(settings, db, lambda *_: _key("faq_minimum_wage"), user=f"{lang}-full-time") as talk:
        first = await talk.say(pay)
        then = await talk.say(yes)
    assert "2,156,880" in first.split("\n")[0]  # below the monthly minimum "if you work full time"
    assert then == t("wage_below_confirmed", lang)
    assert len(talk.asked) == 1  # the classifier was not asked what "yes, full time" means


async def test_the_topic_stays_after_its_own_place_was_asked_about(settings: Settings, db: Database) -> None:
    answers = iter([_key("faq_garbage")])
    async with Conversation(settings, db, lambda *_: next(answers, _key("faq_reentry")), user="vi-within") as talk:
        await talk.say("광산구 do rac ntn")
        await talk.say("120 noi tieng viet dc ko")  # the rubbish topic's own place, the city call centre
        asked = len(talk.asked)
        fridge = await talk.say("tu lanh cu thi sao")
    assert fridge.startswith(topic_facts()["faq_garbage"]["appliances"]["vi"])
    assert len(talk.asked) == asked  # the old fridge is the rubbish topic's, not a question for the classifier
