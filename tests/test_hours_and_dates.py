"""Opening hours in Asia/Seoul and the periods residents ask about, on a frozen clock."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

import hamkke.clock as clock
from hamkke import config
from hamkke.hours import HoursError, is_open, parse
from hamkke.phrases import time_frame

UTC = dt.timezone.utc
WEEKDAYS_9_22 = ["Mo-Fr 09:00-22:00"]
CALL_CENTRE_120 = ["Mo-Fr 08:00-22:00", "Sa,Su 09:00-18:00"]


@pytest.mark.parametrize(
    ("at_utc", "expected"),
    [
        # Monday 2026-11-23, 21:59 and 22:00 in Seoul (UTC+9).
        (dt.datetime(2026, 11, 23, 12, 59, tzinfo=UTC), True),
        (dt.datetime(2026, 11, 23, 13, 0, tzinfo=UTC), False),
        # Sunday 23:30 UTC is already Monday 08:30 in Seoul: 1345 opens at 09:00.
        (dt.datetime(2026, 11, 22, 23, 30, tzinfo=UTC), False),
        (dt.datetime(2026, 11, 23, 0, 0, tzinfo=UTC), True),
        # Friday 2026-11-27 14:00 UTC is Friday 23:00 in Seoul; Saturday 01:00 UTC is Saturday 10:00.
        (dt.datetime(2026, 11, 27, 14, 0, tzinfo=UTC), False),
        (dt.datetime(2026, 11, 28, 1, 0, tzinfo=UTC), False),
    ],
)
def test_open_now_across_the_day_boundary_in_seoul(at_utc: dt.datetime, expected: bool) -> None:
    assert is_open(WEEKDAYS_9_22, at_utc) is expected


def test_the_same_utc_day_is_two_seoul_days() -> None:
    # Sunday 22:30 UTC = Monday 07:30 KST (120 closed: weekdays from 08:00);
    # Sunday 23:30 UTC = Monday 08:30 KST (open). In UTC both are Sunday, when 120 opens 09-18.
    assert not is_open(CALL_CENTRE_120, dt.datetime(2026, 11, 22, 22, 30, tzinfo=UTC))
    assert is_open(CALL_CENTRE_120, dt.datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    # Saturday 08:30 KST: weekend hours start at 09:00.
    assert not is_open(CALL_CENTRE_120, dt.datetime(2026, 11, 27, 23, 30, tzinfo=UTC))


def test_ranges_past_midnight_and_round_the_clock() -> None:
    late = ["Fr 18:00-02:00"]
    assert is_open(late, dt.datetime(2026, 11, 28, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=9))))
    assert not is_open(late, dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))))
    # Sunday night into Monday wraps the week.
    sunday_night = ["Su 22:00-06:00"]
    assert is_open(sunday_night, dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))))
    assert is_open(["24/7"], dt.datetime(2026, 1, 1, tzinfo=UTC))
    assert not is_open(None, dt.datetime(2026, 1, 1, tzinfo=UTC))
    assert not is_open([], dt.datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("bad", ["Mo-Fr 9-18", "Xx 09:00-10:00", "Mo 25:00-26:00", "Mo-Fr"])
def test_bad_hours_are_refused(bad: str) -> None:
    with pytest.raises(HoursError):
        parse([bad])


def test_frozen_clock_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "get_settings", lambda: dataclasses.replace(
        config.Settings(), frozen_now="2026-12-31T23:30:00+00:00"))
    monkeypatch.setattr(clock, "get_settings", config.get_settings)
    # 23:30 UTC on 31 December is already New Year's Day in Gwangju.
    assert clock.today() == dt.date(2027, 1, 1)


TODAY = dt.date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("what's on this week", dt.date(2026, 11, 23), dt.date(2026, 11, 29)),
        ("что будет на этой неделе", dt.date(2026, 11, 23), dt.date(2026, 11, 29)),
        ("tuần này có sự kiện gì", dt.date(2026, 11, 23), dt.date(2026, 11, 29)),
        ("이번주 행사", dt.date(2026, 11, 23), dt.date(2026, 11, 29)),
        ("next week events", dt.date(2026, 11, 30), dt.date(2026, 12, 6)),
        ("this month", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        ("mероприятия в следующем месяце", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        ("thang sau co gi", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        # A month already over this year means next year's.
        ("events in May", dt.date(2027, 5, 1), dt.date(2027, 5, 31)),
        ("что в мае", dt.date(2027, 5, 1), dt.date(2027, 5, 31)),
        ("tháng 5 có lễ hội không", dt.date(2027, 5, 1), dt.date(2027, 5, 31)),
        ("5월 행사", dt.date(2027, 5, 1), dt.date(2027, 5, 31)),
        ("in december", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        ("this weekend", dt.date(2026, 11, 28), dt.date(2026, 11, 29)),
    ],
)
def test_time_frames_in_four_languages(text: str, first: dt.date, last: dt.date) -> None:
    frame = time_frame(text, TODAY)
    assert frame is not None and frame[:2] == (first, last), frame


def test_no_time_frame() -> None:
    assert time_frame("any events for foreigners?", TODAY) is None
