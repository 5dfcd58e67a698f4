"""The read-only JSON API over real HTTP: the gateway served by uvicorn, real SQLite."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from hamkke.config import Settings
from tests.helpers import Gateway

FROZEN = "2026-05-12T10:30:00+09:00"  # a Tuesday morning in Gwangju


@pytest.fixture
def api(settings: Settings, frozen: Callable[[str], None]) -> Iterator[httpx.Client]:
    # hamkke.clock reads the process's settings (HAMKKE_FROZEN_NOW), not the
    # app's: without this the "open now" test passed only before 22:00 in Seoul.
    frozen(FROZEN)
    app = create_app(settings)
    with Gateway(app) as gateway, httpx.Client(base_url=gateway.url, timeout=10) as client:
        yield client


def get(api: httpx.Client, path: str, **params: Any) -> Any:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_openapi_documents_the_three_endpoints(api: httpx.Client) -> None:
    spec = get(api, "/openapi.json")
    assert {"/api/services", "/api/events", "/api/eligibility/{program}"} <= set(spec["paths"])
    params = {p["name"] for p in spec["paths"]["/api/services"]["get"]["parameters"]}
    assert params == {"category", "district", "language", "open_now", "q", "lang"}
    assert {p["name"] for p in spec["paths"]["/api/events"]["get"]["parameters"]} == {"from", "to", "lang"}


def test_services_in_each_language_with_sources(api: httpx.Client) -> None:
    services = {lang: get(api, "/api/services", lang=lang) for lang in ("ko", "en", "ru", "vi")}
    assert len(services["en"]) >= 25
    by_slug = {lang: {s["slug"]: s for s in found} for lang, found in services.items()}
    gic = {lang: by_slug[lang]["gwangju-international-center"] for lang in by_slug}
    assert gic["ru"]["name"] != gic["en"]["name"] != gic["ko"]["name"]
    assert all(s["source_url"].startswith("http") and s["verified_on"] for s in services["en"])


def test_services_filtered_by_need_district_language(api: httpx.Client) -> None:
    health = get(api, "/api/services", category="health", lang="en")
    assert health and all("health" in s["categories"] for s in health)
    gwangsan = get(api, "/api/services", district="gwangsan-gu", lang="ru")
    assert gwangsan and all(s["district"] in (None, "gwangsan-gu") for s in gwangsan)
    # The district's own places come before city-wide ones.
    districts = [s["district"] for s in gwangsan]
    assert districts == sorted(districts, key=lambda d: d is None)
    russian = get(api, "/api/services", language="ru", lang="en")
    assert russian and all("ru" in s["languages_served"] for s in russian)
    assert "immigration-contact-center" in {s["slug"] for s in russian}


def test_open_now_on_the_frozen_clock(api: httpx.Client) -> None:
    # Tuesday 10:30 in Seoul: 1345 (weekdays 09-22) is open, the Sunday clinic is not.
    open_now = {s["slug"] for s in get(api, "/api/services", open_now="true", lang="en")}
    assert "immigration-contact-center" in open_now
    everything = get(api, "/api/services", lang="en")
    sunday_only = [s["slug"] for s in everything if s["opening_hours"] == ["Su 14:00-17:00"]]
    assert sunday_only and not set(sunday_only) & open_now
    assert all(s["open_now"] for s in get(api, "/api/services", open_now="true", lang="en"))


def test_text_search_ignores_vietnamese_diacritics(api: httpx.Client) -> None:
    with_marks = {s["slug"] for s in get(api, "/api/services", q="Danuri", lang="vi")}
    assert "danuri-helpline" in with_marks


def test_events_between_dates_written_in_each_language(api: httpx.Client) -> None:
    events = get(api, "/api/events", **{"from": "2026-09-01", "to": "2026-11-30", "lang": "ru"})
    biennale = next(e for e in events if "biennale" in e["slug"])
    assert (biennale["start_date"], biennale["end_date"]) == ("2026-09-05", "2026-11-15")
    assert "сентября" in biennale["dates"] and "2026" in biennale["dates"]
    ko = get(api, "/api/events", **{"from": "2026-09-01", "to": "2026-11-30", "lang": "ko"})
    assert any("9월 5일" in e["dates"] for e in ko)


def test_events_default_to_what_is_not_over(api: httpx.Client) -> None:
    events = get(api, "/api/events", lang="en")
    assert events and all(e["end_date"] >= "2026-05-12" for e in events)


@pytest.mark.parametrize(
    ("params", "field"),
    [({"from": "2026-13-01"}, "from"), ({"from": "2026-05-01", "to": "2026-04-01"}, "to"),
     ({"lang": "fr"}, "lang")],
)
def test_bad_event_queries_name_the_field(api: httpx.Client, params: dict[str, str], field: str) -> None:
    response = api.get("/api/events", params=params)
    assert response.status_code == 422
    assert field in {str(part) for error in response.json()["detail"] for part in error["loc"]}


def test_eligibility_in_russian(api: httpx.Client) -> None:
    response = api.post("/api/eligibility/culture-nuri", params={"lang": "ru"},
                        json={"birth_year": 1964, "benefit_status": "near_poor", "nationality": "korean"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"] == "eligible" and body["amount_krw"] == 160_000 and body["copay_percent"] is None
    assert body["decided_by"] == "culture-nuri/2026/higher_amount_born"
    assert any("1962" in r for r in body["reasons"])
    assert "1544-3412" in body["apply"] and "30 ноября 2026" in body["apply"]


def test_eligibility_integrated_care_copay(api: httpx.Client) -> None:
    body = api.post("/api/eligibility/integrated-care", params={"lang": "vi"},
                    json={"household_size": 2, "monthly_income_krw": 4_199_292, "nationality": "korean"}).json()
    assert (body["result"], body["copay_percent"], body["amount_krw"]) == ("eligible", 30, None)


def test_foreign_national_gets_check_with_staff_and_why(api: httpx.Client) -> None:
    body = api.post("/api/eligibility/culture-nuri", params={"lang": "en"},
                    json={"birth_year": 1980, "benefit_status": "basic_livelihood", "nationality": "foreign"}).json()
    assert body["result"] == "check_with_staff"
    assert any("foreign nationals" in r for r in body["reasons"])


@pytest.mark.parametrize(
    ("program", "body", "field"),
    [
        ("culture-nuri", {"birth_year": "nineteen", "benefit_status": "none", "nationality": "korean"},
         "birth_year"),
        ("culture-nuri", {"birth_year": 1990, "benefit_status": "rich", "nationality": "korean"}, "benefit_status"),
        ("culture-nuri", {"birth_year": 1990, "nationality": "korean"}, "benefit_status"),
        ("integrated-care", {"household_size": 0, "monthly_income_krw": 1, "nationality": "korean"},
         "household_size"),
        ("integrated-care", {"household_size": 2, "monthly_income_krw": -5, "nationality": "korean"},
         "monthly_income_krw"),
        ("youth-culture-pass", {"birth_year": 2006, "nationality": "korean"}, "used_last_year"),
        ("youth-culture-pass", {"birth_year": 2007, "nationality": "korean", "shoe_size": 44}, "shoe_size"),
        ("lottery", {}, "program"),
    ],
)
def test_invalid_input_is_a_422_naming_the_field(api: httpx.Client, program: str, body: dict[str, Any],
                                                 field: str) -> None:
    response = api.post(f"/api/eligibility/{program}", params={"lang": "en"}, json=body)
    assert response.status_code == 422, response.text
    assert field in {str(part) for error in response.json()["detail"] for part in error["loc"]}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
ANSWERS = st.fixed_dictionaries({}, optional={
    "birth_year": st.integers(-10, 3000) | st.none() | st.text(max_size=5),
    "benefit_status": st.sampled_from(["basic_livelihood", "near_poor", "none", "unknown", "x"]) | st.none(),
    "nationality": st.sampled_from(["korean", "foreign", "mars"]) | st.none(),
    "used_last_year": st.booleans() | st.none() | st.text(max_size=3),
    "household_size": st.integers(-2, 40) | st.none(),
    "monthly_income_krw": st.integers(-5, 20_000_000_000) | st.none(),
})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=st.sampled_from(["culture-nuri", "youth-culture-pass", "integrated-care", "x"]),
       body=ANSWERS | JSON, lang=st.sampled_from(["ko", "en", "ru", "vi", "zz"]))
def test_eligibility_never_fails_on_arbitrary_input(api: httpx.Client, program: str, body: Any, lang: str) -> None:
    response = api.post(f"/api/eligibility/{program}", params={"lang": lang}, json=body)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json()["result"] in ("eligible", "not_eligible", "check_with_staff")


def test_eligibility_after_the_round_closed_says_would_qualify_and_not_open(
        settings: Settings, frozen: Callable[[str], None]) -> None:
    frozen("2026-12-08T10:00:00+09:00")
    with Gateway(create_app(settings)) as gateway, httpx.Client(base_url=gateway.url, timeout=10) as client:
        response = client.post("/api/eligibility/culture-nuri", params={"lang": "ru"},
                               json={"birth_year": 1958, "benefit_status": "basic_livelihood", "nationality": "korean"})
    body = response.json()
    assert response.status_code == 200, body
    assert body["result"] == "eligible" and body["amount_krw"] == 150_000
    assert body["applications"] == {"open": False, "state": "closed", "from": "2026-02-02", "until": "2026-11-30"}
    assert "30 ноября 2026" in body["headline"] and "начале февраля" in body["apply"]
    assert "До 30 ноября" not in body["apply"]  # never "apply until" a date that has passed
