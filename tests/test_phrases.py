"""Typed and pressed answers to the eligibility questions, in four languages."""

from __future__ import annotations

import datetime as dt

import pytest

from hamkke.phrases import (
    UNKNOWN,
    day_of_month,
    parse_benefit_status,
    parse_birth_year,
    parse_household_size,
    parse_income,
    parse_nationality,
    parse_program,
    parse_yes_no,
    service_filters,
    stated_facts,
    time_frame,
)

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1985", 1985), ("я 1985 года рождения", 1985), ("85년생", 1985), ("sinh năm 1990", 1990),
     ("born in 2007", 2007), ("07년생이요", 2007), ("85 г.р.", 1985), ("answer:unknown", UNKNOWN),
     ("не знаю", UNKNOWN), ("khong biet", UNKNOWN), ("몰라요", UNKNOWN), ("I don't know", UNKNOWN),
     ("hello", None), ("2030", None), ("1850", None), ("ASAP", None)],
)
def test_birth_year(text: str, value: object) -> None:
    assert parse_birth_year(text, TODAY) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("answer:near_poor", "near_poor"), ("차상위", "near_poor"), ("малоимущие", "near_poor"),
     ("hộ cận nghèo", "near_poor"), ("ho can ngheo", "near_poor"), ("기초생활수급자예요", "basic_livelihood"),
     ("базовое пособие получаю", "basic_livelihood"), ("basic livelihood", "basic_livelihood"),
     ("нет", "none"), ("không", "none"), ("아니요", "none"), ("neither", "none"),
     ("không biết", UNKNOWN), ("what is that?", None)],
)
def test_benefit_status(text: str, value: object) -> None:
    assert parse_benefit_status(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("answer:foreign", "foreign"), ("иностранец", "foreign"), ("гражданин россии", "foreign"),
     ("у меня F-4", "foreign"), ("người nước ngoài", "foreign"), ("외국인이에요", "foreign"),
     ("not korean", "foreign"), ("Korean", "korean"), ("한국 국적", "korean"), ("гражданка Кореи", "korean"),
     ("quốc tịch Hàn", "korean"), ("хз", UNKNOWN), ("banana", None), ("베트남이요. 결혼해서 왔어요", "foreign")],
)
def test_nationality(text: str, value: object) -> None:
    assert parse_nationality(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("answer:3", 3), ("3", 3), ("нас трое", 3), ("два человека", 2), ("4 người", 4), ("혼자 살아요", 1),
     ("세 명", 3), ("alone", 1), ("2명", 2), ("0", None), ("99", None), ("many", None),
     ("한국국적 아니고 F-4에요", None)],  # a visa code is no number of people
)
def test_household_size(text: str, value: object) -> None:
    assert parse_household_size(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("2,500,000", 2_500_000), ("2 500 000 вон", 2_500_000), ("250만원", 2_500_000), ("250만", 2_500_000),
     ("2.5 million", 2_500_000), ("2,5 млн", 2_500_000), ("2.5 triệu", 2_500_000), ("3tr", 3_000_000),
     ("нет дохода", 0), ("0", 0), ("300 тысяч", 300_000), ("2307814", 2_307_814), ("không biết", UNKNOWN),
     ("a lot", None)],
)
def test_income(text: str, value: object) -> None:
    assert parse_income(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("answer:yes", True), ("да, пользовался", True), ("có", True), ("네 썼어요", True), ("no", False),
     ("нет", False), ("chưa", False), ("안 썼어요", False), ("không nhớ", UNKNOWN), ("maybe", None)],
)
def test_yes_no(text: str, value: object) -> None:
    assert parse_yes_no(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("culture nuri card", "culture-nuri"), ("могу ли я получить 문화누리카드", "culture-nuri"),
     ("thẻ văn hóa", "culture-nuri"), ("청년문화예술패스", "youth-culture-pass"), ("youth pass", "youth-culture-pass"),
     ("통합돌봄 대상인지", "integrated-care"), ("chăm sóc tại nhà", "integrated-care"), ("hello", None)],
)
def test_program(text: str, value: object) -> None:
    assert parse_program(text) == value


def test_service_filters() -> None:
    assert service_filters("какие центры в Квансане говорят по-русски и работают сейчас") == {
        "district": "gwangsan-gu", "language": "ru", "open_now": "true"}
    assert service_filters("bệnh viện cho người nước ngoài ở quận Buk") == {"category": "health", "district": "buk-gu"}
    assert service_filters("광산구 외국인 노동 상담") == {"category": "labour", "district": "gwangsan-gu"}
    assert service_filters("help") == {}


@pytest.mark.parametrize(("text", "year"), [
    ("мне 62", 1964), ("мне 62 года", 1964), ("62살이에요", 1964), ("저는 62세예요", 1964), ("I'm 62", 1964),
    ("i am 62 years old", 1964), ("toi 36 tuoi", 1990), ("tôi 36 tuổi", 1990), ("36t", 1990),
    # a bare number answers "how old are you, or in which year were you born?" with an age; "07" is a year
    ("38", 1988), ("62", 1964), ("07", 2007),
])
def test_an_age_is_read_as_a_birth_year(text: str, year: int) -> None:
    assert parse_birth_year(text, dt.date(2026, 12, 8)) == year


@pytest.mark.parametrize(("text", "question"), [
    ("Здравствуйте, подскажите где 출입국", "подскажите где 출입국"),
    ("안녕하세요 지금 문 연 곳 알려주세요", "지금 문 연 곳 알려주세요"),
    ("xin chao ad cho em hoi visa", "cho em hoi visa"),
    ("Hi, where can I extend my visa?", "where can I extend my visa?"),
    ("hello", "hello"), ("Xin chào bạn", "Xin chào bạn"), ("안녕하세요", "안녕하세요"), ("Привет!", "Привет!"),
])
def test_a_greeting_that_carries_a_question_gives_the_question(text: str, question: str) -> None:
    from hamkke.phrases import without_greeting

    assert without_greeting(text) == question


@pytest.mark.parametrize(("text", "year"), [
    ("hi can i get 문화누리카드? im filipina married to korean, we have 1 son 5 years old", None),
    ("우리 아들 7살인데 저도 받을수있어요?", None),
    ("i'm 45, my daughter is 8, can i get it", 1981), ("сыну 7 лет можно карту?", 2019),
])
def test_a_childs_age_is_not_the_residents(text: str, year: object) -> None:
    from hamkke.phrases import stated_birth_year

    assert stated_birth_year(text, dt.date(2026, 12, 8)) == year


@pytest.mark.parametrize(("text", "month"), [
    ("may gio", None), ("thu may", None), ("may i come", None), ("events in may", 5), ("su kien thang 5", 5),
    ("что будет в мае", 5), ("5월 행사", 5),
])
def test_vietnamese_may_is_no_month(text: str, month: object) -> None:
    from hamkke.phrases import time_frame

    frame = time_frame(text, dt.date(2026, 12, 8))
    assert (frame[0].month if frame else None) == month


@pytest.mark.parametrize(("text", "ages"), [
    ("мужу 66", [66]), ("my mother in law is 63, she gets more?", [63]), ("and my kids? 8 and 14 years", [8, 14]),
    ("i used only 20,000", []), ("시어머니는 62살이에요", [62]), ("wife born 1990", []),
])
def test_the_ages_a_message_gives_for_relatives(text: str, ages: list[int]) -> None:
    from hamkke.phrases import others_ages

    assert others_ages(text) == ages


@pytest.mark.parametrize(("text", "asks"), [
    ("как стать 차상위? мне 68, живу одна", True), ("а 기초생활수급자 иностранцу можно стать? я F-4", True),
    ("차상위 신청 어떻게 해요?", True), ("기초수급자 되려면 뭐해야돼요", True), ("how can i become near-poor", True),
    ("lam sao de duoc ho can ngheo", True),
    # the status stated, a programme asked about
    ("복지관 봉사자인데요 58년생 기초수급자 할머니 문화누리카드 지금 신청되나요", False),
    ("문화누리카드 еще можно оформить? я 기초생활수급자", False), ("우리집 차상위에요", False),
])
def test_asking_how_one_becomes_a_recipient_or_near_poor(text: str, asks: bool) -> None:
    from hamkke.phrases import asks_how_to_get_status

    assert asks_how_to_get_status(text) is asks


@pytest.mark.parametrize(("text", "asks"), [
    ("а 차상위 это кто вообще", True), ("차상위가 뭐예요?", True), ("차상위란?", True), ("what is near-poor?", True),
    ("ho can ngheo la gi", True), ("что такое 기초생활수급자?", True),
    # how to become one, or the status stated
    ("как стать 차상위?", False), ("у нас справка 차상위 есть", False), ("우리집 차상위에요", False),
    ("기초수급자인데 문화누리카드 받을수있어요?", False),
])
def test_asking_what_near_poor_or_a_recipient_is(text: str, asks: bool) -> None:
    from hamkke.phrases import asks_what_status_is

    assert asks_what_status_is(text) is asks


@pytest.mark.parametrize(("text", "code"), [
    ("F4", "F-4"), ("student D2", "D-2"), ("я на E-9", "E-9"), ("f-6-2", "F-6-2"), ("F-4에요", "F-4"),
    ("yes E-9 also", "E-9"), ("D2, 2 months here", "D-2"), ("e9 3 nam roi", "E-9"),
    ("i am on e-9 and want to change", None), ("in buk-gu", None), ("a5 paper", None),
])
def test_a_visa_code_given_alone(text: str, code: object) -> None:
    from hamkke.phrases import bare_visa

    assert bare_visa(text) == code


@pytest.mark.parametrize(("text", "expected"), [
    ("ngay 20/5 to chuc o dau", (5, 20)), ("5월 20일 어디서 해요", (5, 20)), ("May 20 where", (5, 20)),
    ("20 мая где", (5, 20)), ("the one on 17th may", (5, 17)), ("ngay 20 thang 5", (5, 20)),
    ("5/20 where", (5, 20)), ("18 May at 10:00", (5, 18)),
    ("what time", None), ("in may", None), ("2026.12.31", None), ("call 1345 at 9", None), ("31/2", None),
])
def test_the_day_a_message_names(text: str, expected: tuple[int, int] | None) -> None:
    assert day_of_month(text) == expected


@pytest.mark.parametrize(("text", "first", "last", "frame"), [
    ("what about may, heard may is big in gwangju", dt.date(2027, 5, 1), dt.date(2027, 5, 31), "month"),
    ("and spring? something outside they can enjoy", dt.date(2027, 3, 1), dt.date(2027, 5, 31), "spring"),
    ("winter events", dt.date(2026, 12, 8), dt.date(2027, 2, 28), "winter"),
    ("between christmas and new year", dt.date(2026, 12, 24), dt.date(2027, 1, 1), "christmas"),
    ("tu gio toi thang 3 co le hoi gi cho con nit", dt.date(2026, 12, 8), dt.date(2027, 3, 31), "until"),
    ("3월까지 행사 있어요?", dt.date(2026, 12, 8), dt.date(2027, 3, 31), "until"),
    ("до марта что будет", dt.date(2026, 12, 8), dt.date(2027, 3, 31), "until"),
    ("в марте", dt.date(2027, 3, 1), dt.date(2027, 3, 31), "month"),
])
def test_seasons_holidays_and_until_a_month(text: str, first: dt.date, last: dt.date, frame: str) -> None:
    assert time_frame(text, dt.date(2026, 12, 8)) == (first, last, frame)


@pytest.mark.parametrize(("text", "income"), [
    ("2인가구 월 450", 4_500_000), ("월 450", 4_500_000), ("3 человека, доход 2 млн", 2_000_000),
    ("450만원", 4_500_000), ("2 500 000", 2_500_000), ("450", 450),
])
def test_an_income_beside_a_households_size_and_in_manwon(text: str, income: int) -> None:
    assert parse_income(text) == income


def test_a_months_money_said_in_korean_is_stated_with_the_household() -> None:
    stated = stated_facts("2인가구 월 450", dt.date(2026, 12, 8))
    assert stated == {"household_size": 2, "monthly_income_krw": 4_500_000}
    assert stated_facts("5월 20일", dt.date(2026, 12, 8)) == {}
