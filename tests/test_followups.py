"""Follow-up questions are answered from the last topic's place, and only then."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select, update

from bot.core import DialogueCore, Incoming
from bot.rasa_client import RasaClient
from hamkke.config import Settings
from hamkke.content import load_services
from hamkke.db.models import Resident
from hamkke.db.session import Database
from hamkke.followups import detect_followup, topic_facts, topic_places
from tests.helpers import LocalServer

FOLLOWUPS = [
    ("cuoi tuan lam dc bao nhieu tieng", "hours"), ("mat bao nhieu", "fee"), ("입장료?", "fee"),
    ("di thang toi dc ko hay phai hen", "booking"), ("сколько билет", "fee"), ("admission?", "fee"),
    ("얼마나 시간있어요", "when"), ("얼마예요?", "fee"),
    ("one month?", "fee"), ("월급으로는요?", "fee"), ("time?", "hours"),
    ("몇번까지 바꿀수있어요?", "count"), ("сколько раз можно менять?", "count"), ("dc doi may lan", "count"),
    # whom to call is a number, not where to go
    ("куда звонить узнать сколько я должен", "phone"), ("where do i call?", "phone"), ("goi dau de hoi", "phone"),
    ("어디에 전화해요?", "phone"),
    ("есть там переводчик?", "languages"), ("do they have an interpreter?", "languages"),
    ("а запись обязательно?", "booking"), ("а записаться как?", "booking"), ("как записаться?", "booking"),
    ("appointment required?", "booking"),
    ("지금 2달 밀렸어요", "arrears"), ("уже 2 месяца не платил", "arrears"), ("da no 2 thang roi", "arrears"),
    ("i missed 2 months", "arrears"), ("월급 3달 밀렸어요", None),
    ("need to book for that also?", "booking"), ("do i need to book first?", "booking"),
    ("she got the card this year, still 40,000 left", "balance"), ("i have 3 kids left at home", None),
    ("uzbek?", "languages"),
    ("а если 4 месяца не заплачу?", "penalty"), ("4달 밀리면요?", "penalty"),
    ("neu 4 thang ko dong thi sao", "penalty"),
    ("지금가면 열어요?", "hours"), ("월요일에 휴관이에요?", "hours"),
    ("khmer speak?", "languages"), ("nepali speak person there?", "languages"),
    ("wednesday place have khmer speaker?", "languages"),
    # a month, a relative day, a permission asked before starting, "전번" (dialogues-dev2)
    ("1월엔요?", "when"), ("and in january?", "when"), ("а в январе?", "when"), ("con thang 1 thi sao", "when"),
    ("tomorrow ok?", "hours"), ("내일 가도 돼요?", "hours"), ("завтра можно?", "hours"), ("ngay mai di dc ko", "hours"),
    ("do i need permission before i start", "when"), ("전번좀", "phone"),
    ("where is it?", "address"), ("address?", "address"), ("а где это?", "address"), ("адрес какой", "address"),
    ("o dau vay", "address"), ("địa chỉ ở đâu", "address"), ("어디에 있어요?", "address"),
    ("주소 알려주세요", "address"),
    ("phone?", "phone"), ("телефон?", "phone"), ("sdt bao nhieu", "phone"), ("전화번호요", "phone"),
    ("is it open on saturday?", "hours"), ("а в субботу работает?", "hours"), ("thu bay co lam viec khong", "hours"),
    ("토요일에도 해요?", "hours"), ("website?", "website"), ("홈페이지 있어요?", "website"),
    ("is it free?", "fee"), ("это платно?", "fee"), ("co mat phi khong", "fee"), ("얼마예요?", "fee"),
    ("what should i bring?", "documents"), ("что с собой брать?", "documents"), ("can mang gi", "documents"),
    ("서류 뭐 필요해요?", "documents"), ("and next year?", "next_year"), ("내년은요", "next_year"),
    ("а мне можно?", "check"), ("can i get it?", "check"), ("em co duoc khong", "check"),
    ("저도 받을 수 있어요?", "check"),
    # The balance of a card is not "can I get it?", though it is "checked" ("проверить", "kiem tra").
    ("а остаток как проверить", "balance"), ("kiem tra so du o dau", "balance"), ("잔액 확인은요?", "balance"),
    ("how do i check my balance", "balance"), ("there is money left, use until when?", "balance"),
    ("там ещё 20 тысяч, сгорят?", "balance"), ("언제까지 써야 돼요?", "balance"), ("tieu den khi nao", "balance"),
    ("где в кванджу потратить можно, кино берут?", "use"), ("where can i use it", "use"),
    ("dung o dau vay", "use"), ("광주에서 쓸만한데 추천좀", "use"),
    # The same rule in another period; a level or grade a resident has; before or after.
    ("and during the summer vacation?", "hours"), ("а на летних каникулах?", "hours"), ("nghi he thi sao", "hours"),
    ("방학 중에는요?", "hours"), ("i only have topik 2", "conditions"), ("у меня только топик 3", "conditions"),
    ("e moi co topik 2 thoi", "conditions"), ("토픽 3급이면 돼요?", "conditions"),
    ("permission before work or after?", "when"), ("나중에 신고해도 돼요?", "when"),
    # The voluntary-departure period, asked in a longer sentence too.
    ("is the amnesty still on? i heard something about it last year", "when"),
    ("амнистия для нелегалов ещё действует?", "when"), ("다들 자진출국 하라던데 지금도 돼요?", "when"),
    ("dot tu nguyen ve nuoc con khong", "when"),
    # A language named with "can I?": whether they speak it.
    ("러시아말로 상담 되나요?", "languages"), ("co phien dich tieng viet duoc khong", "languages"),
    ("по-русски там говорят? телефон дайте", "languages"), ("does anyone speak nepali there", "languages"),
    ("а по-узбекски?", "languages"), ("co ai noi tieng khmer khong", "languages"), ("네팔어 되나요", "languages"),
    # What a programme does; what to bring "when we go" is what to bring.
    ("so what kind of help is it", "services"), ("какие услуги там?", "services"), ("dich vu gi vay", "services"),
    ("어떤 서비스 해주세요?", "services"), ("what should we bring when we go there", "documents"),
]
NOT_FOLLOWUPS = [
    "사회통합프로그램은 몇시간 들어야돼요?",
    "where i can study sunday?",
    "after this where we report boss", "он по корейски вообще не говорит, есть где учить?", "free doctor sunday?",
    "hoc o dau gan 하남공단", "그럼 아프면 어디가요", "а если заболею, куда идти?", "bi om thi kham o dau",
    "if i get sick where do i go",
    "how much is minimum pay", "올해 최저시급 얼마에요", "시급 얼마줘야돼요", "а корейский ему где подтянуть",
    "where can i extend my visa", "где продлить визу", "o dau gia han visa", "비자 연장 어디서 해요",
    "where is the nearest hospital", "hello", "спасибо", "cảm ơn", "고마워요",
    "my boss did not pay my salary for two months, what should I do now please", "he still does not pay",
    "gia han o dau",
    # asking for an interpreter is a question of its own (whether a place has one stays a follow-up, below)
    "нужен бесплатный переводчик сходить в 출입국", "i need a free interpreter for immigration",
]


@pytest.mark.parametrize(("text", "fact"), FOLLOWUPS)
def test_follow_ups_are_recognised(text: str, fact: str) -> None:
    assert detect_followup(text) == fact


@pytest.mark.parametrize("text", NOT_FOLLOWUPS)
def test_questions_of_their_own_are_not_follow_ups(text: str) -> None:
    assert detect_followup(text) is None


def test_every_topic_place_is_a_service() -> None:
    slugs = {s["slug"] for s in load_services()}
    assert set(topic_places().values()) <= slugs


async def test_where_is_it_after_unpaid_wages_is_the_labour_office(settings: Settings, db: Database) -> None:
    asked: list[str] = []

    def rasa(_method: str, _path: str, body: object) -> tuple[int, object]:
        message = body.get("message") if isinstance(body, dict) else ""
        asked.append(str(message))
        return 200, [{"custom": {"key": "faq_unpaid_wages"}}] if "salary" in str(message) else \
            [{"custom": {"key": "faq_garbage"}}]

    office = next(s for s in load_services() if s["slug"] == "gwangju-labour-office")
    with LocalServer(rasa) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        first = await core.handle(Incoming(channel="kakao", user_key="fu", text="boss not pay salary"))
        where = await core.handle(Incoming(channel="kakao", user_key="fu", text="and where is it?"))
        phone = await core.handle(Incoming(channel="kakao", user_key="fu", text="phone?"))
        assert first is not None and where is not None and phone is not None
        assert asked == ["boss not pay salary"]  # the follow-ups never reached the classifier
        # The topic's own fact first: for unpaid wages, the Wednesday desk (not the head office's address).
        desk = topic_facts()["faq_unpaid_wages"]["address"]["en"]
        assert where.text.startswith(desk) and office["phone"] in where.text
        assert office["phone"] in phone.text
        # Ten minutes of silence: the old topic no longer hijacks a new question.
        async with db.session() as session:
            resident = await session.scalar(select(Resident).where(Resident.channel_user_key == "fu"))
            assert resident is not None and resident.context is not None
            stale = {**resident.context, "at": (dt.datetime.now(dt.timezone.utc)
                                                 - dt.timedelta(minutes=11)).isoformat()}
            await session.execute(update(Resident).where(Resident.id == resident.id).values(context=stale))
            await session.commit()
        later = await core.handle(Incoming(channel="kakao", user_key="fu", text="where is it?"))
        await core.rasa.close()
    assert later is not None and asked[-1] == "where is it?"


async def test_a_programme_answer_after_its_round_closed_says_so(settings: Settings, db: Database,
                                                                  frozen: object) -> None:
    from hamkke.i18n import t

    frozen("2026-12-08T10:00:00+09:00")  # type: ignore[operator]
    with LocalServer(lambda *_: (200, [{"custom": {"key": "faq_culture_nuri"}}])) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        reply = await core.handle(Incoming(channel="kakao", user_key="cn", text="문화누리카드 신청할래요"))
        await core.rasa.close()
    assert reply is not None
    assert t("elig_reason_period_closed", "ko", year=2026, until_date="2026-11-30") in reply.text
    assert t("elig_next_round_culture_nuri", "ko", phone="1544-3412", website="https://www.mnuri.kr") in reply.text


async def test_a_bare_no_or_yes_answers_the_bots_own_question(settings: Settings, db: Database) -> None:
    from hamkke.i18n import t

    asked: list[str] = []

    def rasa(_method: str, _path: str, body: object) -> tuple[int, object]:
        message = str(body.get("message")) if isinstance(body, dict) else ""
        asked.append(message)
        if message == "спасибо":
            return 200, [{"custom": {"key": "thank"}}]
        if message == "блин автобус":
            return 200, [{"custom": {"key": "fallback_suggest", "buttons": [
                {"key": "topic_faq_driving_transport", "payload": "/faq_driving_transport"},
                {"key": "topic_faq_garbage", "payload": "/faq_garbage"}]}}]
        if message == "/faq_driving_transport":
            return 200, [{"custom": {"key": "faq_driving_transport"}}]
        return 200, [{"custom": {"key": "faq_insurance_arrears"}}]

    with LocalServer(rasa) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        await core.handle(Incoming(channel="kakao", user_key="yn", text="спасибо"))
        bye = await core.handle(Incoming(channel="kakao", user_key="yn", text="нет"))
        await core.handle(Incoming(channel="kakao", user_key="yn", text="блин автобус"))
        took = await core.handle(Incoming(channel="kakao", user_key="yn", text="да"))
        again = await core.handle(Incoming(channel="kakao", user_key="yn", text="нет"))  # no question pending
        await core.rasa.close()
    assert bye is not None and bye.texts == [t("goodbye", "ru")]
    assert took is not None and took.texts == [t("faq_driving_transport", "ru")]
    assert asked == ["спасибо", "блин автобус", "/faq_driving_transport", "нет"]
    assert again is not None and again.texts == [t("faq_insurance_arrears", "ru")]


async def test_and_next_year_stays_on_the_topic(settings: Settings, db: Database) -> None:
    asked: list[str] = []

    def rasa(_method: str, _path: str, body: object) -> tuple[int, object]:
        asked.append(str(body.get("message")) if isinstance(body, dict) else "")
        return 200, [{"custom": {"key": "faq_minimum_wage"}}] if len(asked) == 1 else [{"custom": {"key": "goodbye"}}]

    with LocalServer(rasa) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        await core.handle(Incoming(channel="kakao", user_key="ny", text="минималка сколько"))
        reply = await core.handle(Incoming(channel="kakao", user_key="ny", text="а в следующем году?"))
        await core.rasa.close()
    # When this year's rule ends and who knows next year's (the topic's "when" fact), not the answer again.
    when = topic_facts()["faq_minimum_wage"]["when"]["ru"]
    assert reply is not None and reply.texts[0].startswith(when) and len(asked) == 1


async def test_can_i_get_it_after_a_programmes_answer_starts_its_check(settings: Settings, db: Database) -> None:
    asked: list[str] = []

    def rasa(_method: str, _path: str, body: object) -> tuple[int, object]:
        asked.append(str(body.get("message")) if isinstance(body, dict) else "")
        return 200, [{"custom": {"key": "faq_culture_nuri"}}] if len(asked) == 1 else \
            [{"custom": {"key": "ask_birth_year"}}]

    with LocalServer(rasa) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        await core.handle(Incoming(channel="kakao", user_key="chk", text="что такое 문화누리카드"))
        await core.handle(Incoming(channel="kakao", user_key="chk", text="а мне можно?"))
        await core.rasa.close()
    assert asked == ["что такое 문화누리카드", '/check_eligibility{"program":"culture-nuri"}']


async def test_a_short_unplaced_message_after_a_topic_stays_on_it(settings: Settings, db: Database) -> None:
    from hamkke.i18n import t

    answers = iter([[{"custom": {"key": "faq_visa_extension"}}], [{"custom": {"key": "fallback_suggest"}}],
                    [{"custom": {"key": "fallback_suggest"}}]])
    with LocalServer(lambda *_: (200, next(answers))) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        await core.handle(Incoming(channel="kakao", user_key="stay", text="비자 연장 어떻게 해요"))
        short = await core.handle(Incoming(channel="kakao", user_key="stay", text="외국인도 돼요?"))
        long = await core.handle(Incoming(channel="kakao", user_key="stay",
                                          text="그리고 우리 아이 학교 문제도 있는데 이건 어디에 물어봐야 하나요 혹시"))
        await core.rasa.close()
    assert short is not None and short.texts == [t("followup_again", "ko"), t("faq_visa_extension", "ko")]
    assert long is not None and long.texts == [t("fallback_suggest", "ko")]


async def test_which_programme_is_not_asked_right_after_its_answer(settings: Settings, db: Database) -> None:
    asked: list[str] = []

    def rasa(_method: str, _path: str, body: object) -> tuple[int, object]:
        message = str(body.get("message")) if isinstance(body, dict) else ""
        asked.append(message)
        if len(asked) == 1:
            return 200, [{"custom": {"key": "faq_culture_nuri"}}]
        if message.startswith("/check_eligibility"):
            return 200, [{"custom": {"key": "ask_birth_year"}}]
        return 200, [{"custom": {"key": "ask_program"}}]

    with LocalServer(rasa) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        await core.handle(Incoming(channel="kakao", user_key="prog", text="culture nuri card what is it"))
        reply = await core.handle(Incoming(channel="kakao", user_key="prog", text="okay let us try it"))
        await core.rasa.close()
    assert asked[-1] == '/check_eligibility{"program":"culture-nuri"}'
    assert reply is not None and reply.keys == ["ask_birth_year"]


async def test_where_and_what_time_after_a_list_of_events_is_the_first_event(settings: Settings, db: Database) -> None:
    event = {"slug": "new-years-eve-bell-2026", "name": {"en": "New Year's Eve bell", "ru": "Новогодний колокол"},
             "description": {"en": "The bell rings at midnight."}, "venue": {"en": "5·18 Democracy Square"},
             "start_date": "2026-12-31", "end_date": "2027-01-01", "start_time": "22:00", "approximate": False,
             "phone": None, "website": None}
    answers = iter([[{"custom": {"key": "events_upcoming", "args": {"events": [event]}}}]])
    with LocalServer(lambda *_: (200, next(answers))) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        await core.handle(Incoming(channel="kakao", user_key="ev", text="what is on soon"))
        where = await core.handle(Incoming(channel="kakao", user_key="ev", text="where is it?"))
        when = await core.handle(Incoming(channel="kakao", user_key="ev", text="what time?"))
        await core.rasa.close()
    assert where is not None and "5·18 Democracy Square" in where.text
    assert when is not None and "22:00" in when.text


async def test_the_balance_and_where_to_spend_after_a_card_s_answer_come_from_its_facts(
        settings: Settings, db: Database) -> None:
    """"А остаток как проверить" after the Culture Nuri answer: how to check the balance (its facts), not
    the eligibility check; "кино берут?": where it is taken; "what site was it?" after a topic without a
    place: the sites its answer names."""
    from hamkke.i18n import t

    asked: list[str] = []

    def rasa(_method: str, _path: str, body: object) -> tuple[int, object]:
        asked.append(str(body.get("message")) if isinstance(body, dict) else "")
        return 200, [{"custom": {"key": "faq_culture_nuri" if len(asked) == 1 else "faq_youth_culture_pass"}}]

    with LocalServer(rasa) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        await core.handle(Incoming(channel="kakao", user_key="bal", text="что такое 문화누리카드"))
        balance = await core.handle(Incoming(channel="kakao", user_key="bal", text="а остаток как проверить"))
        spend = await core.handle(Incoming(channel="kakao", user_key="bal", text="где потратить можно, кино берут?"))
        await core.handle(Incoming(channel="kakao", user_key="site", text="youth culture pass?"))
        site = await core.handle(Incoming(channel="kakao", user_key="site", text="what site was it"))
        await core.rasa.close()
    assert asked == ["что такое 문화누리카드", "youth culture pass?"]  # the rest answered from the facts
    assert balance is not None and balance.texts[0] == topic_facts()["faq_culture_nuri"]["penalty"]["ru"]
    assert "1544-3412" in balance.text
    assert spend is not None and "₩2,500" in spend.text and "кинотеатр" in spend.text
    assert site is not None and site.text.startswith(t("label_website", "en")) and "youthculturepass.or.kr" in site.text


async def test_a_night_that_began_the_day_before_is_not_an_event_of_the_period(db: Database) -> None:
    """New Year's Eve's bell (31 December 22:00 into 1 January) is not an event "in January"."""
    from hamkke.directory import events_between

    async with db.session() as session:
        january = [e.slug for e in await events_between(session, dt.date(2027, 1, 1), dt.date(2027, 1, 31))]
        new_year = [e.slug for e in await events_between(session, dt.date(2026, 12, 31), dt.date(2026, 12, 31))]
        december = [e.slug for e in await events_between(session, dt.date(2026, 12, 1), dt.date(2027, 1, 31))]
    assert "new-years-eve-bell-2026" in new_year and "new-years-eve-bell-2026" in december
    assert "new-years-eve-bell-2026" not in january


@pytest.mark.parametrize(("text", "amount", "per"), [
    ("мне платят 9000 в час это нормально?", 9_000, "hour"),
    ("주5일 하루8시간 일하는데 월급 200만원 받아요 이거 불법아니에요?", 2_000_000, "month"),
    ("I get 9,500 won an hour", 9_500, "hour"), ("2 million a month ok?", 2_000_000, "month"),
    ("luong 1tr8 mot thang", 1_800_000, "month"), ("cty tra e 1tr95 1 thang lam du 209 tieng", 1_950_000, "month"),
    ("1 triệu 900 nghìn mỗi tháng", 1_900_000, "month"), ("работаю 10 часов в день", None, None),
    ("сколько минимальная зарплата", None, None),
])
def test_the_pay_a_message_states(text: str, amount: int, per: str) -> None:
    from hamkke.wages import Pay, stated_pay

    assert stated_pay(text) == (Pay(amount, per) if amount else None)


async def test_pay_below_the_minimum_wage_is_said_first_with_whom_to_tell(
        settings: Settings, db: Database, frozen: Callable[[str], None]) -> None:
    from hamkke.i18n import t

    frozen("2026-12-08T10:00:00+09:00")
    def rasa(_method: str, _path: str, _body: object) -> tuple[int, object]:
        return 200, [{"custom": {"key": "faq_minimum_wage"}}]

    with LocalServer(rasa) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        low = await core.handle(Incoming(channel="kakao", user_key="w1", text="мне платят 9000 в час это нормально?"))
        fine = await core.handle(Incoming(channel="kakao", user_key="w2", text="월급 230만원 받아요 괜찮아요?"))
        await core.rasa.close()
    assert low is not None and low.texts[0] == t("wage_below_hour", "ru", paid="9,000", minimum="10,320", year=2026)
    assert "1350" in low.texts[0] and low.texts[1] == t("faq_minimum_wage", "ru")
    assert fine is not None and fine.texts[0].startswith("월 ₩2,300,000은") and "적지 않아요" in fine.texts[0]


def test_a_place_of_a_list_named_by_a_word_only_its_names_have() -> None:
    from hamkke.followups import listed_place_named

    names = {"cnu": ["전남대병원", "Chonnam National University Hospital", "больница Чоннам"],
             "chosun": ["조선대학교병원", "Chosun University Hospital", "больница Чосон"],
             "kdca": ["질병관리청 1339", "KDCA disease helpline 1339"]}
    assert listed_place_named("phone for chosun?", names) == "chosun"
    assert listed_place_named("조선대 где?", names) == "chosun"  # the start of a Korean name
    assert listed_place_named("адрес чоннам", names) == "cnu"
    # A word both hospitals have names neither; two places named is no answer either.
    assert listed_place_named("which hospital?", names) is None
    assert listed_place_named("chosun or chonnam?", names) is None
    assert listed_place_named("phone?", names) is None


def test_a_place_an_answer_named_in_passing_by_a_word_the_answer_used() -> None:
    from hamkke.followups import mentioned_place_named

    aliases = {"chosun": ["조선대학교병원", "chosun university hospital", "больница 조선대"],
               "clinic": ["고려인광주진료소", "клиника корё-сарам", "goryeoin clinic"],
               "kiip": ["kiip", "사회통합프로그램", "курсы kiip"],
               "gic": ["gic", "광주국제교류센터", "gwangju international center"]}
    emergency = ["Крупные центры: больница университета Чосон (조선대학교병원), 동구 필문대로 365, 1811-7474."]
    assert mentioned_place_named("조선대 где?", emergency, aliases) == "chosun"
    assert mentioned_place_named("где gic?", emergency, aliases) is None  # not named by these answers
    clinic = ["Центр здоровья мигрантов принимает по воскресеньям. Клиника для корё-сарам (고려인광주진료소) "
              "бесплатно принимает каждый вторник с 19:00."]
    assert mentioned_place_named("где эта клиника во вторник", clinic, aliases) == "clinic"
    assert mentioned_place_named("где эта клиника", [*clinic, *emergency], aliases) == "clinic"
    # "курсы" is a word of KIIP's record, but the answer said courses of something else, in another sentence.
    work = ["В Пхёндоне проходят курсы корейского с подготовкой к TOPIK. Для F-5 нужен курс KIIP (70 часов)."]
    assert mentioned_place_named("а где курсы топика бесплатные?", work, aliases) is None
    assert mentioned_place_named("а где курсы kiip?", work, aliases) == "kiip"
    # A name inside another word is no name ("gic" in "magic"), a number no name either.
    assert mentioned_place_named("gic phone?", ["Magic show tonight."], aliases) is None


def test_the_days_of_the_week_a_text_names() -> None:
    from hamkke.followups import days_named

    assert days_named("오늘 화요일인데 몇시부터") == {1}
    assert days_named("а в субботу и воскресенье?") == {5, 6}
    assert days_named("thu 7 cn co mo ko") == {5, 6}
    assert days_named("open on Wednesdays?") == {2}
    assert days_named("what time?") == set()


def test_the_subject_of_the_topic_just_answered_is_no_new_topic() -> None:
    # "the insurer's phone, in Russian?" right after insurance arrears asks that topic; cold, it is a question
    asked = "телефон страховой по русски есть?"
    assert detect_followup(asked, topic="faq_insurance_arrears") == "languages"
    assert detect_followup(asked) is None
    assert detect_followup(asked, topic="faq_free_clinic") is None  # another topic's subject is still new
