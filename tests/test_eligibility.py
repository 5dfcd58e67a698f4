"""The eligibility rules at every boundary (hamkke.eligibility, data/programs.yml)."""

from __future__ import annotations

import datetime as dt

import pytest

from hamkke.eligibility import Answers, evaluate, load_programs, questions

OPEN = dt.date(2026, 3, 10)  # every 2026 application period is open
KOREAN = "korean"


def cnuri(birth_year: int | None, status: str = "basic_livelihood", nationality: str | None = KOREAN,
          today: dt.date = OPEN):
    return evaluate("culture-nuri", Answers(birth_year=birth_year, benefit_status=status, nationality=nationality),
                    today)


@pytest.mark.parametrize(("year", "result"), [(2020, "eligible"), (2021, "not_eligible"), (1940, "eligible")])
def test_culture_nuri_age_boundary(year: int, result: str) -> None:
    outcome = cnuri(year)
    assert outcome.result == result
    if result == "not_eligible":
        assert outcome.decided_by == "culture-nuri/2026/born_on_or_before"
        assert outcome.reasons[0].key == "elig_reason_cnuri_too_young"


@pytest.mark.parametrize(
    ("year", "amount"),
    [(2007, 150_000), (2008, 160_000), (2013, 160_000), (2014, 150_000),
     (1961, 150_000), (1962, 160_000), (1966, 160_000), (1967, 150_000), (2020, 150_000)],
)
def test_culture_nuri_amount_boundaries(year: int, amount: int) -> None:
    outcome = cnuri(year)
    assert (outcome.result, outcome.amount_krw) == ("eligible", amount)


@pytest.mark.parametrize(
    ("status", "nationality", "result", "rule"),
    [
        ("near_poor", KOREAN, "eligible", "amount"),
        ("none", KOREAN, "not_eligible", "qualifying_status"),
        ("none", "foreign", "not_eligible", "qualifying_status"),
        ("unknown", KOREAN, "check_with_staff", "status_unknown"),
        ("basic_livelihood", "foreign", "check_with_staff", "foreign_nationals"),
        # The card follows recipient status: a recipient whose nationality nobody said qualifies.
        ("near_poor", None, "eligible", "amount"),
        ("unknown", None, "check_with_staff", "status_unknown"),
    ],
)
def test_culture_nuri_status_and_nationality(status: str, nationality: str | None, result: str, rule: str) -> None:
    outcome = cnuri(1985, status, nationality)
    assert outcome.result == result
    assert outcome.decided_by == f"culture-nuri/2026/{rule}"
    assert outcome.amount_krw == (150_000 if result == "eligible" else None)


def test_culture_nuri_foreign_national_says_why_and_where_to_confirm() -> None:
    outcome = cnuri(1985, "basic_livelihood", "foreign")
    assert [r.key for r in outcome.reasons] == ["elig_reason_cnuri_foreign"]
    assert [a.key for a in outcome.apply] == ["elig_apply_culture_nuri", "elig_bring_culture_nuri"]
    assert outcome.apply[0].args["phone"] == "1544-3412"


def test_culture_nuri_foreign_national_is_asked_the_status_not_the_age() -> None:
    # Said first ("uzbekistan, F-4"): the status decides; staff look at a foreign recipient.
    assert questions("culture-nuri", {"nationality": "foreign"}, OPEN) == ["nationality", "benefit_status"]
    outcome = cnuri(None, "near_poor", "foreign")
    assert (outcome.result, outcome.decided_by) == ("check_with_staff", "culture-nuri/2026/foreign_nationals")
    assert cnuri(None, "none", "foreign").result == "not_eligible"


def test_culture_nuri_unknown_birth_year_goes_to_staff() -> None:
    assert cnuri(None).result == "check_with_staff"


@pytest.mark.parametrize(("today", "state"), [
    (dt.date(2026, 11, 30), "open"), (dt.date(2026, 12, 1), "closed"), (dt.date(2026, 1, 15), "not_yet"),
])
def test_culture_nuri_would_qualify_whether_or_not_applications_are_open(today: dt.date, state: str) -> None:
    outcome = cnuri(1985, today=today)
    # "Would qualify" stays true after the round closes; whether one can apply now is said apart.
    assert outcome.result == "eligible" and outcome.amount_krw is not None
    assert outcome.applications == {"open": state == "open", "state": state, "from": "2026-02-02",
                                    "until": "2026-11-30"}
    keys = [r.key for r in outcome.reasons]
    apply = [a.key for a in outcome.apply]
    if state == "closed":
        assert "elig_reason_period_closed" in keys
        # Never "apply until" a date that has passed: when the next round usually opens instead.
        assert apply == ["elig_next_round_culture_nuri", "elig_bring_culture_nuri"]
    else:
        assert apply == ["elig_apply_culture_nuri", "elig_bring_culture_nuri"]
    if state == "not_yet":
        assert "elig_reason_period_not_open" in keys


def test_a_closed_round_is_said_in_the_headline_in_every_language() -> None:
    from bot.replies import render_eligibility
    from hamkke.i18n import t

    result = cnuri(1958, today=dt.date(2026, 12, 8)).as_dict()
    for lang in ("en", "ru", "vi", "ko"):
        headline, _reasons, apply = render_eligibility(result, lang)
        assert headline.startswith(t("elig_headline_eligible_closed", lang, program_key="program_name_culture_nuri",
                                     year=2026, until_date="2026-11-30"))
        assert t("elig_headline_not_eligible", lang, program_key="program_name_culture_nuri",
                 year=2026) not in headline
        assert "2026-11-30" not in apply and t("elig_next_round_culture_nuri", lang, phone="1544-3412",
                                               website="https://www.mnuri.kr") in apply


def youth(birth_year: int | None, used: bool | None = None, nationality: str | None = KOREAN,
          today: dt.date = OPEN):
    return evaluate("youth-culture-pass",
                    Answers(birth_year=birth_year, used_last_year=used, nationality=nationality), today)


@pytest.mark.parametrize(
    ("year", "used", "result", "rule"),
    [
        (2007, None, "eligible", "born_in"),
        (2006, False, "eligible", "second_chance_born_in"),
        (2006, True, "not_eligible", "second_chance_used"),
        (2006, None, "check_with_staff", "second_chance_unknown"),
        (2005, False, "not_eligible", "born_in"),
        (2008, None, "not_eligible", "born_in"),
    ],
)
def test_youth_pass_birth_years(year: int, used: bool | None, result: str, rule: str) -> None:
    outcome = youth(year, used)
    assert (outcome.result, outcome.decided_by) == (result, f"youth-culture-pass/2026/{rule}")
    assert outcome.amount_krw == (200_000 if result == "eligible" else None)


@pytest.mark.parametrize(
    ("program", "given", "asked"),
    [
        ("youth-culture-pass", {}, ["birth_year"]),
        ("youth-culture-pass", {"birth_year": 2006}, ["birth_year", "used_last_year"]),
        ("youth-culture-pass", {"birth_year": 2006, "used_last_year": False},
         ["birth_year", "used_last_year", "nationality"]),
        # Decided already: used last year, or born in another year, or unknown.
        ("youth-culture-pass", {"birth_year": 2006, "used_last_year": True}, ["birth_year", "used_last_year"]),
        ("youth-culture-pass", {"birth_year": 1990}, ["birth_year"]),
        ("youth-culture-pass", {"birth_year": 2007}, ["birth_year", "nationality"]),
        ("culture-nuri", {"birth_year": 2021}, ["birth_year"]),
        ("culture-nuri", {"birth_year": "unknown"}, ["birth_year"]),
        ("culture-nuri", {"birth_year": 1980}, ["birth_year", "benefit_status"]),
        ("culture-nuri", {"birth_year": 1980, "benefit_status": "none"}, ["birth_year", "benefit_status"]),
        ("culture-nuri", {"birth_year": 1980, "benefit_status": "unknown"},
         ["birth_year", "benefit_status", "nationality"]),
        ("integrated-care", {"household_size": 7}, ["household_size"]),
        ("integrated-care", {"household_size": 1, "monthly_income_krw": 4_200_000},
         ["household_size", "monthly_income_krw"]),
        ("integrated-care", {"household_size": 1, "monthly_income_krw": 4_100_000},
         ["household_size", "monthly_income_krw", "nationality"]),
    ],
)
def test_only_questions_that_can_change_the_result_are_asked(program: str, given: dict, asked: list[str]) -> None:
    assert questions(program, given, OPEN) == asked


def test_youth_pass_closed_after_june_and_foreign_nationals_to_staff() -> None:
    assert youth(2007, today=dt.date(2026, 6, 30)).result == "eligible"
    closed = youth(2007, today=dt.date(2026, 7, 1))
    assert closed.result == "eligible" and closed.applications["state"] == "closed"
    assert next(a.key for a in closed.apply) == "elig_next_round_youth_culture_pass"
    assert youth(2007, nationality="foreign").result == "check_with_staff"


MEDIANS = {1: 2_564_238, 2: 4_199_292, 3: 5_359_036, 4: 6_494_738, 5: 7_556_719, 6: 8_555_952}


def care(size: int | None, income: int | None, nationality: str | None = KOREAN):
    return evaluate("integrated-care",
                    Answers(household_size=size, monthly_income_krw=income, nationality=nationality), OPEN)


def at_percent(median: int, percent: int) -> int:
    """The largest whole-won income at or below ``percent`` of ``median``."""
    return median * percent // 100


@pytest.mark.parametrize("size", sorted(MEDIANS))
@pytest.mark.parametrize(
    ("percent", "at", "above"),
    [(90, 0, 30), (120, 30, 60), (160, 60, None)],
)
def test_integrated_care_income_boundaries(size: int, percent: int, at: int, above: int | None) -> None:
    exactly = at_percent(MEDIANS[size], percent)
    outcome = care(size, exactly)
    assert (outcome.result, outcome.copay_percent) == ("eligible", at)
    assert outcome.decided_by == f"integrated-care/2026/copay_tiers/{percent}"
    over = care(size, exactly + 1)
    if above is None:
        assert (over.result, over.copay_percent) == ("not_eligible", None)
        assert over.decided_by == "integrated-care/2026/copay_tiers/above_160"
    else:
        assert (over.result, over.copay_percent) == ("eligible", above)


def test_integrated_care_exact_percentages_when_the_median_divides() -> None:
    # 90% of 2,564,238 is 2,307,814.2 won: 2,307,814 is within, 2,307,815 above.
    assert care(1, 2_307_814).copay_percent == 0
    assert care(1, 2_307_815).copay_percent == 30


def test_integrated_care_seven_or_more_people_get_a_clear_answer() -> None:
    outcome = care(7, 3_000_000)
    assert outcome.result == "check_with_staff"
    assert outcome.reasons[0].key == "elig_reason_care_household_large"
    assert outcome.reasons[0].args == {"size": 7, "largest": 6}


def test_integrated_care_unknowns_and_foreign_residents() -> None:
    assert care(None, 1_000_000).result == "check_with_staff"
    assert care(2, None).result == "check_with_staff"
    foreign = care(2, 1_000_000, "foreign")
    assert foreign.result == "check_with_staff"
    assert [r.key for r in foreign.reasons][-1] == "elig_reason_care_foreign"
    assert care(1, 0).copay_percent == 0


def test_next_years_rules_are_a_data_change() -> None:
    records = [dict(r) for r in load_programs()]
    next_year = {**next(r for r in records if r["slug"] == "culture-nuri"), "year": 2027,
                 "apply_from": dt.date(2027, 2, 1), "apply_until": dt.date(2027, 11, 30)}
    next_year["rules"] = {**next_year["rules"], "born_on_or_before": 2021, "amount_krw": 170_000}
    records.append(next_year)
    in_2027 = evaluate("culture-nuri", Answers(2021, "near_poor", KOREAN), dt.date(2027, 3, 1), records)
    assert (in_2027.result, in_2027.amount_krw, in_2027.year) == ("eligible", 170_000, 2027)
    in_2026 = evaluate("culture-nuri", Answers(2021, "near_poor", KOREAN), OPEN, records)
    assert (in_2026.result, in_2026.year) == ("not_eligible", 2026)
