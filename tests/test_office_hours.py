"""Office hours of the hand-off centres: weekends, Korean public holidays, closed dates, and what residents are told."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from hamkke import SUPPORTED_LANGUAGES
from hamkke.hours import SEOUL
from hamkke.office_hours import (
    URGENT_NUMBERS,
    Centre,
    CentreError,
    default_centre,
    find_centre,
    format_opening,
    handoff_notice,
    is_closed_day,
    is_open,
    load_centres,
    next_opening,
    public_holiday,
    queue_status,
)

UTC = dt.timezone.utc


def kst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


def write_centres(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "centres.yml"
    path.write_text(text, encoding="utf-8")
    return path


NAMES = """
  name: {ko: "테스트 창구", en: "Test Desk", ru: "Тестовая служба", vi: "Bàn thử nghiệm"}
"""


@pytest.fixture
def desk() -> Centre:
    return default_centre()


def test_the_data_file_has_one_default_desk_named_in_every_language() -> None:
    centres = load_centres()
    assert [c.slug for c in centres if c.default] == ["gwangju-foreign-residents-desk"]
    for centre in centres:
        assert set(centre.name) == set(SUPPORTED_LANGUAGES)
        assert centre.spans
    assert find_centre("gwangju-foreign-residents-desk") == default_centre()
    assert find_centre("nowhere") is None


def test_a_weekday_morning_is_open_and_the_evening_is_closed(desk: Centre) -> None:
    # Tuesday 2026-12-08, an ordinary working day.
    assert is_open(desk, kst(2026, 12, 8, 10, 0))
    assert is_open(desk, kst(2026, 12, 8, 9, 0))
    assert not is_open(desk, kst(2026, 12, 8, 8, 59))
    assert not is_open(desk, kst(2026, 12, 8, 18, 0))
    assert not is_open(desk, kst(2026, 12, 8, 20, 0))
    assert next_opening(desk, kst(2026, 12, 8, 20, 0)) == kst(2026, 12, 9, 9, 0)
    assert next_opening(desk, kst(2026, 12, 9, 7, 30)) == kst(2026, 12, 9, 9, 0)


def test_open_now_is_its_own_next_opening(desk: Centre) -> None:
    assert next_opening(desk, kst(2026, 12, 8, 10, 0)) == kst(2026, 12, 8, 10, 0)


def test_times_in_other_zones_are_read_in_seoul(desk: Centre) -> None:
    # 01:00 UTC is 10:00 in Seoul; 11:00 UTC is 20:00.
    assert is_open(desk, dt.datetime(2026, 12, 8, 1, 0, tzinfo=UTC))
    opening = next_opening(desk, dt.datetime(2026, 12, 8, 11, 0, tzinfo=UTC))
    assert opening == kst(2026, 12, 9, 9, 0)
    assert opening is not None and opening.tzinfo == SEOUL


def test_naive_times_are_refused(desk: Centre) -> None:
    with pytest.raises(ValueError, match="aware"):
        is_open(desk, dt.datetime(2026, 12, 8, 10, 0))


def test_friday_evening_opens_on_monday_morning(desk: Centre) -> None:
    assert next_opening(desk, kst(2026, 12, 11, 19, 0)) == kst(2026, 12, 14, 9, 0)
    assert not is_open(desk, kst(2026, 12, 12, 11, 0))


def test_seollal_2027_with_its_substitute_holiday(desk: Centre) -> None:
    # The holidays package: 6-8 February 2027 (Saturday to Monday) and Tuesday 9th as the substitute.
    for day in range(6, 10):
        assert public_holiday(dt.date(2027, 2, day)) is not None
    assert not is_open(desk, kst(2027, 2, 8, 10, 0))
    assert not is_open(desk, kst(2027, 2, 9, 10, 0))
    assert next_opening(desk, kst(2027, 2, 5, 19, 0)) == kst(2027, 2, 10, 9, 0)


def test_chuseok_2026(desk: Centre) -> None:
    # 24-26 September 2026 (Thursday to Saturday).
    assert not is_open(desk, kst(2026, 9, 24, 10, 0))
    assert not is_open(desk, kst(2026, 9, 25, 10, 0))
    assert next_opening(desk, kst(2026, 9, 23, 18, 30)) == kst(2026, 9, 28, 9, 0)


def test_christmas_and_its_substitute_in_2027(desk: Centre) -> None:
    assert next_opening(desk, kst(2026, 12, 24, 20, 0)) == kst(2026, 12, 28, 9, 0)
    # Christmas 2027 is a Saturday: Monday the 27th is the substitute holiday.
    assert public_holiday(dt.date(2027, 12, 27)) is not None
    assert next_opening(desk, kst(2027, 12, 24, 19, 0)) == kst(2027, 12, 28, 9, 0)
    # New Year's Eve to New Year.
    assert next_opening(desk, kst(2026, 12, 31, 18, 30)) == kst(2027, 1, 4, 9, 0)


def test_a_centres_own_closed_dates(tmp_path: Path) -> None:
    path = write_centres(tmp_path, f"""
- slug: test-desk
  default: true
{NAMES}
  phone: "062-000-0000"
  hours: ["Mo-Fr 09:00-18:00", "Sa 10:00-14:00"]
  closed_dates: [2026-12-09, "2026-12-10"]
""")
    (centre,) = load_centres(path)
    assert centre.closed_dates == {dt.date(2026, 12, 9), dt.date(2026, 12, 10)}
    assert centre.phone == "062-000-0000"
    assert is_closed_day(centre, dt.date(2026, 12, 9))
    assert not is_open(centre, kst(2026, 12, 9, 10, 0))
    assert next_opening(centre, kst(2026, 12, 8, 19, 0)) == kst(2026, 12, 11, 9, 0)
    # Friday evening: Saturday morning hours.
    assert next_opening(centre, kst(2026, 12, 11, 19, 0)) == kst(2026, 12, 12, 10, 0)
    assert is_open(centre, kst(2026, 12, 12, 13, 59))
    assert not is_open(centre, kst(2026, 12, 12, 14, 0))


def test_hours_past_midnight_and_a_lunch_break(tmp_path: Path) -> None:
    path = write_centres(tmp_path, f"""
- slug: night-desk
  default: true
{NAMES}
  hours: ["Mo-Fr 09:00-12:00", "Mo-Fr 13:00-18:00", "Fr 20:00-02:00"]
""")
    (centre,) = load_centres(path)
    assert next_opening(centre, kst(2026, 12, 8, 12, 30)) == kst(2026, 12, 8, 13, 0)
    assert is_open(centre, kst(2026, 12, 12, 1, 30))  # Saturday 01:30, Friday's late span
    assert not is_open(centre, kst(2026, 12, 12, 2, 0))
    # Friday 25 December 2026 is Christmas: its evening span does not start.
    assert not is_open(centre, kst(2026, 12, 25, 21, 0))
    assert not is_open(centre, kst(2026, 12, 26, 1, 0))


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('  hours: ["Mo-Fr 9-18"]', "not an opening-hours item"),
        ('  hours: ["Xx 09:00-18:00"]', "not a day range"),
        ("  hours: []", "non-empty list"),
        ('  hours: ["Mo 24:00-02:00"]', "24:00"),
        ('  hours: ["Mo-Fr 09:00-18:00"]\n  closed_dates: [12/25]', "YYYY-MM-DD"),
        ('  hours: ["Mo-Fr 09:00-18:00"]\n  opening: yes', "unknown fields opening"),
    ],
)
def test_bad_centres_are_refused_with_a_clear_error(tmp_path: Path, entry: str, message: str) -> None:
    path = write_centres(tmp_path, f"- slug: bad-desk\n  default: true\n{NAMES}\n{entry}\n")
    with pytest.raises(CentreError, match=message) as info:
        load_centres(path)
    assert "bad-desk" in str(info.value)


def test_a_missing_language_and_the_default_are_checked(tmp_path: Path) -> None:
    path = write_centres(tmp_path, """
- slug: desk
  default: true
  name: {ko: "창구", en: "Desk"}
  hours: ["Mo-Fr 09:00-18:00"]
""")
    with pytest.raises(CentreError, match=r"desk\.name: no ru, vi"):
        load_centres(path)
    path = write_centres(tmp_path, f"- slug: desk\n{NAMES}\n  hours: [\"24/7\"]\n")
    with pytest.raises(CentreError, match="exactly one"):
        load_centres(path)


def test_the_clock_is_the_default(desk: Centre, frozen: Callable[[str], None]) -> None:
    frozen("2026-12-08T10:00:00+09:00")
    assert is_open(desk)
    frozen("2026-12-11T19:00:00+09:00")
    assert next_opening(desk) == kst(2026, 12, 14, 9, 0)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Monday, 14 December, at 09:00"),
        ("ko", "12월 14일 (월) 오전 9:00"),
        ("ru", "в понедельник, 14 декабря, в 09:00"),
        ("vi", "thứ Hai, ngày 14 tháng 12, lúc 09:00"),
    ],
)
def test_the_opening_in_each_language(lang: str, expected: str) -> None:
    assert format_opening(kst(2026, 12, 14, 9, 0), lang) == expected


def test_russian_weekdays_take_their_case() -> None:
    assert format_opening(kst(2026, 12, 15, 13, 30), "ru") == "во вторник, 15 декабря, в 13:30"
    assert format_opening(kst(2026, 12, 16, 9, 0), "ru").startswith("в среду, 16 декабря")
    assert format_opening(kst(2026, 12, 13, 9, 0), "vi").startswith("Chủ nhật, ngày 13 tháng 12")


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_outside_hours_the_notice_gives_the_opening_and_the_urgent_numbers(desk: Centre, lang: str) -> None:
    texts = handoff_notice(desk, lang, kst(2026, 12, 11, 19, 0), position=3, wait_minutes=20, kakao=False)
    assert len(texts) == 1
    for number in URGENT_NUMBERS:
        assert number in texts[0]
    assert format_opening(kst(2026, 12, 14, 9, 0), lang) in texts[0]
    assert desk.display_name(lang) in texts[0]


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_inside_hours_the_notice_gives_the_place_in_the_queue(desk: Centre, lang: str) -> None:
    at = kst(2026, 12, 8, 10, 0)
    (text,) = handoff_notice(desk, lang, at, position=4, wait_minutes=25, kakao=False)
    assert "4" in text and "25" in text and desk.display_name(lang) in text
    assert "1577-1366" not in text
    (unknown,) = handoff_notice(desk, lang, at, position=7, wait_minutes=None, kakao=False)
    assert "7" in unknown and desk.display_name(lang) in unknown


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_on_kakao_the_notice_says_how_replies_arrive(desk: Centre, lang: str) -> None:
    for at in (kst(2026, 12, 8, 10, 0), kst(2026, 12, 8, 20, 0)):
        texts = handoff_notice(desk, lang, at, position=1, wait_minutes=5, kakao=True)
        assert len(texts) == 2
        assert "KakaoTalk" in texts[1] or "카카오톡" in texts[1]


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(1, "1 минуту"), (2, "2 минуты"), (4, "4 минуты"), (5, "5 минут"), (10, "10 минут"), (21, "20 минут"),
     (0, "1 минуту"), (23, "25 минут")],
)
def test_russian_minutes_agree_with_the_number(desk: Centre, minutes: int, expected: str) -> None:
    (text,) = handoff_notice(desk, "ru", kst(2026, 12, 8, 10, 0), 2, minutes, kakao=False)
    assert f"примерно {expected}." in text
    status = queue_status(desk, "ru", kst(2026, 12, 8, 10, 0), 2, minutes, held=False)
    assert status.endswith(f"примерно {expected}.")


def test_english_minutes_agree_with_the_number(desk: Centre) -> None:
    assert queue_status(desk, "en", kst(2026, 12, 8, 10, 0), 1, 1, held=False).endswith("about 1 minute.")
    assert queue_status(desk, "en", kst(2026, 12, 8, 10, 0), 1, 3, held=False).endswith("about 3 minutes.")


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_queue_status(desk: Centre, lang: str) -> None:
    open_at, closed_at = kst(2026, 12, 8, 10, 0), kst(2026, 12, 11, 19, 0)
    waiting = queue_status(desk, lang, open_at, 3, 15, held=False)
    assert "3" in waiting and "15" in waiting
    assert "6" in queue_status(desk, lang, open_at, 6, None, held=False)
    closed = queue_status(desk, lang, closed_at, 3, 15, held=False)
    assert format_opening(kst(2026, 12, 14, 9, 0), lang) in closed
    assert all(number in closed for number in URGENT_NUMBERS)
    held = queue_status(desk, lang, closed_at, 3, 15, held=True)
    assert held not in (waiting, closed) and "3" not in held


def test_a_place_in_the_queue_starts_at_one(desk: Centre) -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        handoff_notice(desk, "en", kst(2026, 12, 8, 10, 0), 0, None, kakao=False)
