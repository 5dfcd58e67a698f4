"""Eligibility rules of the benefit programmes, in one place.

The parameters (ages, amounts, income limits, application periods) live in
``data/programs.yml``, one record per programme and year; this module only
applies them. Every result names the rule that decided it and carries its
reasons and where to apply as catalog keys, so the conversation, the JSON API
and staff read the same answer in any language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, Optional

import yaml

from hamkke.config import PROJECT_ROOT

PROGRAMS = ("culture-nuri", "youth-culture-pass", "integrated-care")
BENEFIT_STATUSES = ("basic_livelihood", "near_poor", "none", "unknown")
NATIONALITIES = ("korean", "foreign", "unknown")
MAX_HOUSEHOLD = 30
MAX_INCOME_KRW = 10_000_000_000
DATA_FILE = PROJECT_ROOT / "data" / "programs.yml"

Outcome = Literal["eligible", "not_eligible", "check_with_staff"]


class RulesError(ValueError):
    """A programmes file that breaks the rules, or a programme without rules for a date."""


@dataclass(frozen=True)
class Answers:
    """What the resident told us. ``None`` means "I don't know"."""

    birth_year: Optional[int] = None
    benefit_status: Optional[str] = None
    nationality: Optional[str] = None
    used_last_year: Optional[bool] = None
    household_size: Optional[int] = None
    monthly_income_krw: Optional[int] = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Answers:
        """Answers from slot values or a JSON body ("unknown" counts as not known)."""
        def known(name: str) -> Any:
            value = values.get(name)
            return None if value in ("unknown", "") else value

        return cls(
            birth_year=known("birth_year"),
            benefit_status=values.get("benefit_status"),
            nationality=known("nationality"),
            used_last_year=known("used_last_year"),
            household_size=known("household_size"),
            monthly_income_krw=known("monthly_income_krw"),
        )


@dataclass(frozen=True)
class Text:
    """A catalog key with its arguments, rendered later in the reader's language."""

    key: str
    args: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON form, as actions send it to the gateway."""
        return {"key": self.key, "args": dict(self.args)}


@dataclass(frozen=True)
class Result:
    """The answer to one eligibility check."""

    program: str
    year: int
    result: Outcome
    decided_by: str
    reasons: list[Text]
    apply: list[Text]
    amount_krw: Optional[int] = None
    copay_percent: Optional[int] = None
    # Whether one can apply now: {"open": bool, "state": "open" | "closed" | "not_yet",
    # "from": ISO date, "until": ISO date or None}. The result above says whether the
    # resident would qualify by the rules of ``year``, open or not.
    applications: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON form (catalog keys, not text)."""
        return {
            "program": self.program,
            "year": self.year,
            "result": self.result,
            "applications": dict(self.applications),
            "decided_by": self.decided_by,
            "amount_krw": self.amount_krw,
            "copay_percent": self.copay_percent,
            "reasons": [r.as_dict() for r in self.reasons],
            "apply": [a.as_dict() for a in self.apply],
        }


@cache
def load_programs(path: Path = DATA_FILE) -> tuple[dict[str, Any], ...]:
    """Every programme-year record of the data file, checked."""
    records = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    seen: set[tuple[str, int]] = set()
    for record in records:
        check_record(record)
        if (record["slug"], record["year"]) in seen:
            raise RulesError(f"{record['slug']} {record['year']}: twice")
        seen.add((record["slug"], record["year"]))
    return tuple(records)


def check_record(record: Mapping[str, Any]) -> None:
    """Raise :class:`RulesError` when one programme-year record breaks the rules of the programmes file.

    The loader checks every record of the file with it, and the admin pages
    every record an admin saves, so both are held to the same rules.
    """
    for key in ("slug", "year", "apply_from", "rules", "source_url", "verified_on"):
        if record.get(key) is None:
            raise RulesError(f"{record.get('slug', '?')}: missing {key}")
    if record["slug"] not in PROGRAMS:
        raise RulesError(f"unknown programme {record['slug']}")
    name = f"{record['slug']} {record['year']}"
    if not isinstance(record["year"], int) or isinstance(record["year"], bool):
        raise RulesError(f"{name}: the year must be a number")
    for key in ("apply_from", "apply_until", "verified_on"):
        if record.get(key) is not None and not isinstance(record[key], dt.date):
            raise RulesError(f"{name}: {key} must be a date")
    if record.get("apply_until") is not None and record["apply_until"] < record["apply_from"]:
        raise RulesError(f"{name}: applications close before they open")
    if record.get("confidence", "H") not in ("H", "M", "L"):
        raise RulesError(f"{name}: confidence must be H, M or L")
    check_rules(record["slug"], record["rules"], name)
    # What the checks above cannot foresee: the rules applied to every kind of answer.
    try:
        for answers in _SAMPLE_ANSWERS:
            evaluate(record["slug"], answers, record["apply_from"], [record])
            questions(record["slug"], {k: v for k, v in vars(answers).items() if v is not None},
                      record["apply_from"], [record])
    except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError) as exc:
        raise RulesError(f"{name}: the rules cannot be applied ({type(exc).__name__}: {exc})") from exc


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_rules(program: str, rules: Any, name: str = "") -> None:
    """Raise :class:`RulesError` when ``rules`` lack a parameter ``program``'s logic reads, or hold a wrong one."""
    name = name or program
    if not isinstance(rules, Mapping):
        raise RulesError(f"{name}: the rules must be a mapping of parameters")
    numbers = {"culture-nuri": ("born_on_or_before", "amount_krw", "higher_amount_krw"),
               "youth-culture-pass": ("born_in", "second_chance_born_in", "amount_krw"),
               "integrated-care": ("yearly_cap_krw",)}.get(program, ())
    for key in numbers:
        if not _whole(rules.get(key)):
            raise RulesError(f"{name}: rules.{key} must be a whole number")
    if program == "culture-nuri":
        statuses = rules.get("qualifying_status")
        if not isinstance(statuses, list) or not statuses or any(s not in BENEFIT_STATUSES for s in statuses):
            raise RulesError(f"{name}: rules.qualifying_status must list some of {', '.join(BENEFIT_STATUSES)}")
        ranges = rules.get("higher_amount_born")
        if not (isinstance(ranges, list) and len(ranges) == 2 and all(
                isinstance(r, list) and len(r) == 2 and all(_whole(y) for y in r) and r[0] <= r[1] for r in ranges)):
            raise RulesError(f"{name}: rules.higher_amount_born must be two [first, last] birth-year ranges")
    if program == "integrated-care":
        medians = rules.get("median_income_krw")
        try:
            sizes = _medians(rules) if isinstance(medians, Mapping) and medians else {}
        except (TypeError, ValueError):
            sizes = {}
        if not sizes or any(size < 1 or income <= 0 for size, income in sizes.items()):
            raise RulesError(f"{name}: rules.median_income_krw must give a positive income per household size")
        tiers = rules.get("copay_tiers")
        if not (isinstance(tiers, list) and tiers and all(
                isinstance(t, Mapping) and _whole(t.get("up_to_percent")) and _whole(t.get("copay_percent"))
                for t in tiers)):
            raise RulesError(f"{name}: rules.copay_tiers must list {{up_to_percent, copay_percent}} pairs")
        limits = [t["up_to_percent"] for t in tiers]
        if limits != sorted(set(limits)):
            raise RulesError(f"{name}: rules.copay_tiers must go up by up_to_percent")


def offered(records: Optional[Sequence[Mapping[str, Any]]]) -> tuple[str, ...]:
    """The programmes an eligibility check exists for: those with a record (all of them on the data file)."""
    if records is None:
        return PROGRAMS
    return tuple(p for p in PROGRAMS if any(r["slug"] == p for r in records))


def rules_for(program: str, today: dt.date, records: Optional[Sequence[Mapping[str, Any]]] = None
              ) -> Mapping[str, Any]:
    """The newest record of ``program`` whose year has begun by ``today``.

    ``records`` are the programme rows of the database (seeded from the data
    file); without them, the data file itself.
    """
    pool = load_programs() if records is None else records
    candidates = [r for r in pool if r["slug"] == program and r["year"] <= today.year]
    if not candidates:
        candidates = [r for r in pool if r["slug"] == program]
    if not candidates:
        raise RulesError(f"no rules for {program}")
    return max(candidates, key=lambda r: r["year"])


def questions(program: str, given: Mapping[str, Any], today: dt.date,
              records: Optional[Sequence[Mapping[str, Any]]] = None) -> list[str]:
    """The questions ``program`` needs, in the order a resident is asked them.

    ``given`` holds the answers so far (``"unknown"`` for "I don't know";
    absent or ``None`` for not asked yet). The list stops where the answers
    already decide the result, so nobody is asked what cannot change it:
    someone born too late is not asked about benefits, a household above the
    last income limit is not asked its nationality.
    """
    rules = rules_for(program, today, records)["rules"]

    known = Answers.from_mapping(given)

    def answered(name: str) -> bool:
        return given.get(name) is not None

    asked: list[str] = []
    if program == "culture-nuri":
        if given.get("nationality") == "foreign":
            # A foreign national gets the card only as a recipient, which few can be (the brief's special
            # rule): whether they are one is asked, and staff look at it; the age changes nothing then.
            return ["nationality", *(["birth_year"] if answered("birth_year") else []), "benefit_status"]
        asked.append("birth_year")
        year = known.birth_year
        if not answered("birth_year") or year is None or year > rules["born_on_or_before"]:
            return asked
        asked.append("benefit_status")
        # The card follows recipient status: a recipient is not asked a nationality (only "I don't know"
        # is, since a foreign national who does not know is for staff to look at); one said in passing counts.
        status = given.get("benefit_status")
        if not answered("benefit_status") or status == "none" or (
                status in rules["qualifying_status"] and not answered("nationality")):
            return asked
        return [*asked, "nationality"]
    if program == "youth-culture-pass":
        asked.append("birth_year")
        year = known.birth_year
        if not answered("birth_year") or year not in (rules["born_in"], rules["second_chance_born_in"]):
            return asked
        if year == rules["second_chance_born_in"]:
            asked.append("used_last_year")
            if not answered("used_last_year") or known.used_last_year is not False:
                return asked
        return [*asked, "nationality"]
    if program == "integrated-care":
        if given.get("nationality") == "foreign":
            # Whether foreign residents get the fee support is found nowhere: staff look at it, whatever
            # the household's income (the nationality said in passing is kept for the result).
            return ["nationality"]
        asked.append("household_size")
        size = known.household_size
        medians = _medians(rules)
        if not answered("household_size") or size is None or size > max(medians):
            return asked
        asked.append("monthly_income_krw")
        income = known.monthly_income_krw
        if not answered("monthly_income_krw") or income is None:
            return asked
        if income * 100 > medians[size] * rules["copay_tiers"][-1]["up_to_percent"]:
            return asked
        return [*asked, "nationality"]
    raise RulesError(f"unknown programme {program}")


def applications(record: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """Whether applications under ``record`` are open on ``today``, with their dates."""
    apply_from: dt.date = record["apply_from"]
    apply_until: Optional[dt.date] = record.get("apply_until")
    if apply_until is not None and today > apply_until:
        state = "closed"
    elif today < apply_from:
        state = "not_yet"
    else:
        state = "open"
    return {"open": state == "open", "state": state, "from": apply_from.isoformat(),
            "until": apply_until.isoformat() if apply_until else None}


def _period_notes(record: Mapping[str, Any], period: Mapping[str, Any]) -> list[Text]:
    if period["state"] == "closed":
        return [Text("elig_reason_period_closed", {"year": record["year"], "until_date": period["until"]})]
    if period["state"] == "not_yet":
        return [Text("elig_reason_period_not_open", {"from_date": period["from"]})]
    return []


def _apply(record: Mapping[str, Any], period: Mapping[str, Any]) -> list[Text]:
    """Where and until when to apply; once this year's round has closed, when the next usually opens.

    Never "apply until" a date that has passed.
    """
    slug = record["slug"].replace("-", "_")
    args: dict[str, Any] = {"phone": record.get("phone") or "1345", "website": record.get("website") or ""}
    if period["state"] == "closed":
        return [Text(f"elig_next_round_{slug}", args), Text(f"elig_bring_{slug}")]
    if record.get("apply_until"):
        args["until_date"] = record["apply_until"].isoformat()
    return [Text(f"elig_apply_{slug}", args), Text(f"elig_bring_{slug}")]


def evaluate(program: str, answers: Answers, today: dt.date,
             records: Optional[Sequence[Mapping[str, Any]]] = None) -> Result:
    """Check ``answers`` against ``program``'s rules in force on ``today``.

    The result says whether the resident would qualify by those rules; whether
    they can apply now is in ``applications`` (a closed round does not turn
    "would qualify" into "no").
    """
    record = rules_for(program, today, records)
    if program == "culture-nuri":
        outcome, decided, reasons, amount, copay = _culture_nuri(record["rules"], answers)
    elif program == "youth-culture-pass":
        outcome, decided, reasons, amount, copay = _youth_pass(record["rules"], answers)
    else:
        outcome, decided, reasons, amount, copay = _integrated_care(record["rules"], answers)
    period = applications(record, today)
    return Result(
        program=program,
        year=record["year"],
        result=outcome,
        decided_by=f"{program}/{record['year']}/{decided}",
        reasons=[*reasons, *_period_notes(record, period)],
        apply=_apply(record, period),
        amount_krw=amount if outcome == "eligible" else None,
        copay_percent=copay if outcome == "eligible" else None,
        applications=period,
    )


_Verdict = tuple[Outcome, str, list[Text], Optional[int], Optional[int]]


def higher_amount(rules: Mapping[str, Any], birth_year: int) -> bool:
    """Whether someone born in ``birth_year`` gets the Culture Nuri card's higher amount (ages 13–18, 60–64)."""
    return any(first <= birth_year <= last for first, last in rules["higher_amount_born"])


def card_amount(rules: Mapping[str, Any], birth_year: int) -> Optional[int]:
    """The Culture Nuri card's yearly amount for a recipient born in ``birth_year``; ``None`` when too young."""
    if birth_year > rules["born_on_or_before"]:
        return None
    return int(rules["higher_amount_krw"] if higher_amount(rules, birth_year) else rules["amount_krw"])


def _culture_nuri(rules: dict[str, Any], a: Answers) -> _Verdict:
    limit = rules["born_on_or_before"]
    # A foreign national's age is not asked (the status decides, and staff look at a recipient).
    if a.birth_year is None and a.nationality != "foreign":
        return "check_with_staff", "birth_year_unknown", [Text("elig_reason_birth_year_unknown")], None, None
    if a.birth_year is not None and a.birth_year > limit:
        return ("not_eligible", "born_on_or_before",
                [Text("elig_reason_cnuri_too_young", {"birth_year": a.birth_year, "limit": limit})], None, None)
    if a.benefit_status == "none":
        return "not_eligible", "qualifying_status", [Text("elig_reason_cnuri_status_none")], None, None
    if a.nationality == "foreign":
        return "check_with_staff", "foreign_nationals", [Text("elig_reason_cnuri_foreign")], None, None
    if a.benefit_status not in rules["qualifying_status"]:
        return "check_with_staff", "status_unknown", [Text("elig_reason_cnuri_status_unknown")], None, None
    assert a.birth_year is not None  # only a foreign national's may be unknown, and theirs returned above
    reasons = [Text("elig_reason_cnuri_qualifies", {"status_key": f"benefit_{a.benefit_status}"})]
    higher = higher_amount(rules, a.birth_year)
    amount = rules["higher_amount_krw"] if higher else rules["amount_krw"]
    ranges = rules["higher_amount_born"]
    reasons.append(Text(
        "elig_reason_cnuri_amount_higher" if higher else "elig_reason_cnuri_amount_standard",
        {"birth_year": a.birth_year, "amount_krw": amount,
         "range_a": f"{ranges[0][0]}–{ranges[0][1]}", "range_b": f"{ranges[1][0]}–{ranges[1][1]}",
         "higher_krw": rules["higher_amount_krw"]},
    ))
    return "eligible", "higher_amount_born" if higher else "amount", reasons, amount, None


def _youth_pass(rules: dict[str, Any], a: Answers) -> _Verdict:
    born, second = rules["born_in"], rules["second_chance_born_in"]
    if a.birth_year is None:
        return "check_with_staff", "birth_year_unknown", [Text("elig_reason_birth_year_unknown")], None, None
    if a.birth_year == born:
        reasons = [Text("elig_reason_youth_born", {"birth_year": born})]
        decided = "born_in"
    elif a.birth_year == second:
        if a.used_last_year is True:
            return ("not_eligible", "second_chance_used",
                    [Text("elig_reason_youth_used", {"birth_year": second})], None, None)
        if a.used_last_year is None:
            return ("check_with_staff", "second_chance_unknown",
                    [Text("elig_reason_youth_used_unknown", {"birth_year": second})], None, None)
        reasons = [Text("elig_reason_youth_second_chance", {"birth_year": second})]
        decided = "second_chance_born_in"
    else:
        return ("not_eligible", "born_in",
                [Text("elig_reason_youth_wrong_year", {"birth_year": a.birth_year, "born": born, "second": second})],
                None, None)
    if a.nationality == "foreign":
        return "check_with_staff", "foreign_nationals", [*reasons, Text("elig_reason_youth_foreign")], None, None
    if a.nationality != "korean":
        return ("check_with_staff", "nationality_unknown", [*reasons, Text("elig_reason_nationality_unknown")],
                None, None)
    reasons.append(Text("elig_reason_youth_amount", {"amount_krw": rules["amount_krw"]}))
    return "eligible", decided, reasons, rules["amount_krw"], None


def _medians(rules: Mapping[str, Any]) -> dict[int, int]:
    """Median income by household size (JSON keeps the sizes as strings)."""
    return {int(k): int(v) for k, v in rules["median_income_krw"].items()}


def _integrated_care(rules: dict[str, Any], a: Answers) -> _Verdict:
    medians = _medians(rules)
    largest = max(medians)
    if a.nationality == "foreign" and (a.household_size is None or a.monthly_income_krw is None):
        return "check_with_staff", "foreign_nationals", [Text("elig_reason_care_foreign")], None, None
    if a.household_size is None:
        return "check_with_staff", "household_unknown", [Text("elig_reason_care_household_unknown")], None, None
    if a.household_size > largest:
        return ("check_with_staff", "household_size",
                [Text("elig_reason_care_household_large", {"size": a.household_size, "largest": largest})],
                None, None)
    if a.monthly_income_krw is None:
        return "check_with_staff", "income_unknown", [Text("elig_reason_care_income_unknown")], None, None
    median = medians[a.household_size]
    percent = f"{a.monthly_income_krw * 100 / median:.1f}"
    base = {"income_krw": a.monthly_income_krw, "median_krw": median, "size": a.household_size,
            "percent": percent}
    for tier in rules["copay_tiers"]:
        # Integers only: "at or below 90%" means income * 100 <= median * 90.
        if a.monthly_income_krw * 100 <= median * tier["up_to_percent"]:
            copay = int(tier["copay_percent"])
            key = "elig_reason_care_free" if copay == 0 else "elig_reason_care_copay"
            reasons = [Text(key, {**base, "limit": tier["up_to_percent"], "copay": copay}),
                       Text("elig_reason_care_cap", {"cap_krw": rules["yearly_cap_krw"]})]
            if a.nationality == "foreign":
                return ("check_with_staff", "foreign_nationals",
                        [*reasons, Text("elig_reason_care_foreign")], None, None)
            if a.nationality != "korean":
                return ("check_with_staff", "nationality_unknown",
                        [*reasons, Text("elig_reason_nationality_unknown")], None, None)
            return "eligible", f"copay_tiers/{tier['up_to_percent']}", reasons, None, copay
    top = rules["copay_tiers"][-1]["up_to_percent"]
    return ("not_eligible", f"copay_tiers/above_{top}",
            [Text("elig_reason_care_above", {**base, "limit": top})], None, None)


# Every kind of answer a resident can give, for :func:`check_record`'s trial of new rules.
_SAMPLE_ANSWERS = tuple(
    Answers(birth_year=year, benefit_status=status, nationality=nationality, used_last_year=used,
            household_size=size, monthly_income_krw=income)
    for year in (None, 1930, 1964, 1990, 2006, 2007, 2010, 2024)
    for status, nationality, used in (("basic_livelihood", "korean", False), ("near_poor", "foreign", True),
                                      ("none", None, None), ("unknown", "korean", None))
    for size, income in ((None, None), (1, 0), (2, 3_000_000), (4, 9_000_000), (40, 1_000))
)
