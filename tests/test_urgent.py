"""Urgent situations are recognised in four languages, typed carelessly, and put first."""

from __future__ import annotations

import pytest
import yaml

from bot.core import DialogueCore, Incoming
from bot.rasa_client import RasaClient
from hamkke import SUPPORTED_LANGUAGES
from hamkke.config import PROJECT_ROOT, Settings
from hamkke.db.session import Database
from hamkke.i18n import t
from hamkke.urgent import Urgency, detect_urgent
from tests.helpers import LocalServer

U = Urgency
URGENT = [
    ("my mother has chest pain and doesnt speak korean", U.MEDICAL),
    ("my friend collapsed and is not breathing", U.MEDICAL),
    ("baby has high fever 40 degrees at night what do i do", U.MEDICAL),
    ("мама упала и не дышит", U.MEDICAL),
    ("у мужа болит в груди сильно", U.MEDICAL),
    ("ребенок температура 40 ночью", U.MEDICAL),
    ("me toi bi dau nguc qua", U.MEDICAL),
    ("con em sot cao 40 do", U.MEDICAL),
    ("ban em bat tinh roi", U.MEDICAL),
    ("엄마가 쓰러졌어요", U.MEDICAL),
    ("할머니가 가슴이 너무 아프대요", U.MEDICAL),
    ("my son swallowed some pills", U.MEDICAL),
    ("дочка проглотила батарейку", U.MEDICAL),
    ("아이가 고열이에요 밤인데", U.MEDICAL),
    ("가슴이 아파요 숨을 못 쉬겠어요", U.MEDICAL),
    ("there is a fire in my apartment", U.FIRE),
    ("пожар в доме", U.FIRE),
    ("nhà em đang cháy", U.FIRE),
    ("불이났어요", U.FIRE),
    ("a man with a knife is following me", U.VIOLENCE),
    ("он угрожает ножом", U.VIOLENCE),
    ("сосед бьет жену за стеной", U.VIOLENCE),
    ("guy with knife outside the store", U.VIOLENCE),
    ("co nguoi cam dao", U.VIOLENCE),
    ("누가 칼을 들고 있어요", U.VIOLENCE),
    ("my husband beats me, please help", U.DOMESTIC_VIOLENCE),
    ("муж бьет меня, что делать", U.DOMESTIC_VIOLENCE),
    ("chong em danh em hoai", U.DOMESTIC_VIOLENCE),
    ("chồng tôi đánh tôi", U.DOMESTIC_VIOLENCE),
    ("남편이 때려요 도와주세요", U.DOMESTIC_VIOLENCE),
    ("i want to kill myself", U.SUICIDE),
    ("не хочу больше жить", U.SUICIDE),
    ("em muốn chết", U.SUICIDE),
    ("toi nghi den chuyen tự tử", U.SUICIDE),
    ("죽고 싶어요", U.SUICIDE),
    ("my visa expired 2 months ago", U.OVERSTAY),
    ("виза истекла месяц назад что делать", U.OVERSTAY),
    ("visa cua em het han roi", U.OVERSTAY),
    ("비자가 만료됐어요", U.OVERSTAY),
    ("불법체류 상태예요", U.OVERSTAY),
    # Written by the second development set's writers (bench/dialogues-dev2): careless, mid-conversation.
    ("FIRE my building smoke evrywhere im 3 floor", Urgency.FIRE),
    ("honestly whats the point. failed all my courses, thinking of ending it all", Urgency.SUICIDE),
    ("now vomit blood", Urgency.MEDICAL), ("my father had a stroke 10 minutes ago", Urgency.MEDICAL),
    ("папа рвет кровью", Urgency.MEDICAL),
    ("아빠가 피를 토했어요", Urgency.MEDICAL), ("my friend is coughing blood", Urgency.MEDICAL),
    ("wait my roommate very hot fever and shaking cant wake her properly", Urgency.MEDICAL),
    ("деду плохо, в груди давит, потеет весь", Urgency.MEDICAL),
    ("지금 와이프가 배가 너무아프다고 피나요 어떡해요", Urgency.MEDICAL),
    ("옆집에 불나써요 연기마니나요", Urgency.FIRE), ("a oi no lai dam e chay mau mui r", Urgency.VIOLENCE),
]
NOT_URGENT = [
    "я на E-9, контракт закончился, хочу другую работу. как поменять?",
    "fire station where", "fire extinguisher where to buy", "fire department phone number",
    "where is the emergency room at night", "응급실 어디예요", "how long is the visa valid",
    "my visa will expire next week, how to extend", "thang sau het han visa, gia han dc k",
    "my visa expires next month", "через месяц виза закончится",
    "my mother in law had a stroke, now home, we need help with bathing",
    "시어머니가 뇌졸중 후 퇴원하셨는데 돌봄 서비스 있어요?",
    "муж лежачий после инсульта, есть помощь по уходу на дому?", "bo e bi tai bien nam liet, co ai cham soc ko",
    "아버지가 뇌졸중 후 거동이 불편하세요 돌봄 서비스 있어요?",
    # an injury already treated: what comes next (산재) is the question
    "на заводе руку порезал сильно зашили. хозяин говорит не надо 산재 оформлять это правильно?",
    "i cut my hand at work, got 5 stitches, boss says no 산재", "손 다쳐서 꿰맸어요 산재 돼요?",
    "виза заканчивается через неделю", "visa sap het han",
    "I got fired from my job", "fire insurance for my shop", "chờ xíu", "tôi chạy bộ mỗi sáng", "từ từ thôi",
    "хочу проверить 문화누리카드", "비자 연장하려면 어떻게 해요", "where can i throw away rubbish",
    "моему сыну 7 лет, как записать в школу", "hủy hợp đồng lao động", "khi nào có lương",
    "нужна ли страховка от пожара для съемной квартиры", "где пожарный выход в общежитии",
    "на новый год где колокол бьют", "бьют в колокол в 12 часов?",
]


@pytest.mark.parametrize(("text", "kind"), URGENT)
def test_urgent_situations_are_recognised(text: str, kind: Urgency) -> None:
    assert detect_urgent(text) is kind


@pytest.mark.parametrize("text", NOT_URGENT)
def test_ordinary_questions_are_not_urgent(text: str) -> None:
    assert detect_urgent(text) is None


# Development set: about 22 urgent messages of each kind and 40 ordinary ones per language, typed carelessly.
DEVSET = yaml.safe_load((PROJECT_ROOT / "tests" / "data" / "urgent_devset.yml").read_text(encoding="utf-8"))
# ... and 70 more per language typed in the middle of conversations (2026-12-07).
for _lang, _kinds in yaml.safe_load((PROJECT_ROOT / "tests" / "data" / "urgent_devset_midconversation.yml")
                                    .read_text(encoding="utf-8")).items():
    for _kind, _texts in _kinds.items():
        DEVSET[_lang][_kind] = [*DEVSET[_lang][_kind], *_texts]


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_the_development_set_is_recognised_in_every_language(lang: str) -> None:
    kinds: dict[str, list[str]] = DEVSET[lang]
    urgent = [(kind, text) for kind, texts in kinds.items() if kind != "not_urgent" for text in texts]
    found = {text: detect_urgent(text) for _, text in urgent}
    missed = [f"missed {kind}: {text}" for kind, text in urgent if found[text] is None]
    wrong = [f"{kind} taken for {found[text]}: {text}" for kind, text in urgent
             if found[text] is not None and found[text] is not Urgency(kind)]
    false_alarms = [f"not urgent, taken for {kind}: {text}" for text in kinds["not_urgent"]
                    if (kind := detect_urgent(text)) is not None]
    recall = 1 - len(missed) / len(urgent)
    right_kind = 1 - (len(missed) + len(wrong)) / len(urgent)
    report = "\n".join([f"{lang}: recall {recall:.2f}, right kind {right_kind:.2f}, "
                        f"{len(false_alarms)} false alarms of {len(kinds['not_urgent'])}", *missed, *wrong,
                        *false_alarms])
    print(report)
    assert recall >= 0.93 and right_kind >= 0.88 and len(false_alarms) <= 2, report


async def test_the_urgent_line_comes_first_and_an_unrelated_guess_is_dropped(settings: Settings,
                                                                            db: Database) -> None:
    import dataclasses

    garbage = [{"custom": {"key": "faq_garbage"}}]
    with LocalServer(lambda *_: (200, garbage)) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        reply = await core.handle(Incoming(channel="kakao", user_key="urgent-1", text="мама упала и не дышит"))
        await core.rasa.close()
    assert reply is not None
    assert reply.texts == [t("urgent_medical", "ru")]
    assert reply.buttons[0].payload == "/request_human"


async def test_a_related_answer_stays_under_the_urgent_line(settings: Settings, db: Database) -> None:
    import dataclasses

    related = [{"custom": {"key": "faq_domestic_violence"}}]
    with LocalServer(lambda *_: (200, related)) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        reply = await core.handle(Incoming(channel="kakao", user_key="urgent-2", text="chồng tôi đánh tôi"))
        await core.rasa.close()
    assert reply is not None
    assert reply.texts == [t("urgent_domestic_violence", "vi"), t("faq_domestic_violence", "vi")]


async def test_what_to_do_stays_first_while_the_situation_goes_on(settings: Settings, db: Database) -> None:
    import dataclasses

    with LocalServer(lambda *_: (200, [{"custom": {"key": "faq_korean_classes"}}])) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        await core.handle(Incoming(channel="kakao", user_key="urgent-3", text="엄마가 쓰러졌어요"))
        then = await core.handle(Incoming(channel="kakao", user_key="urgent-3", text="엄마는 한국말 못해요"))
        await core.rasa.close()
    assert then is not None and then.texts == [t("urgent_medical", "ko")]


async def test_an_urgent_answer_does_not_wait_for_a_slow_classifier(settings: Settings, db: Database) -> None:
    import dataclasses
    import threading

    released = threading.Event()

    def stuck(*_: object) -> tuple[int, object]:
        released.wait(15)  # answers only once the test lets it
        return 200, [{"custom": {"key": "faq_garbage"}}]

    with LocalServer(stuck) as server:
        configured = dataclasses.replace(settings, rasa_url=server.url)
        core = DialogueCore(configured, db, RasaClient(configured))
        reply = await core.handle(Incoming(channel="kakao", user_key="urgent-4", text="불이났어요"))
        answered_while_stuck = not released.is_set()
        released.set()
        await core.rasa.close()
    assert answered_while_stuck
    assert reply is not None and reply.texts == [t("urgent_fire", "ko")]
