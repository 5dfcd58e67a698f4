"""What a resident says they are paid, against the minimum wage (``data/minimum_wage.yml``).

"мне платят 9000 в час это нормально?", "월급 200만원 받아요 이거 불법아니에요?", "luong 8 trieu mot
thang": a patient worker compares at once and says whom to tell. :func:`stated_pay` reads an amount
and whether it is per hour or per month; :func:`compare` says whether it is below this year's minimum.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Optional

import yaml

from hamkke.config import PROJECT_ROOT
from hamkke.folding import fold

PATH = PROJECT_ROOT / "data" / "minimum_wage.yml"

# An amount: digits with thousands separators or Korean/Russian/Vietnamese units.
_AMOUNT = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[ ,.]\d{3})+|\d+(?:[.,]\d+)?)\s*"
    r"(만|천|million|mln|млн|миллион\w*|тыс\w*|k\b|trieu|tr\b|nghin|ngan)?\s*(?:원|won|вон|₩|krw)?",
    re.IGNORECASE)
_HOUR = re.compile(r"시급|시간당|한시간|1시간|\bper hour\b|\ban hour\b|\bhourly\b|/\s*h\b|\ban hr\b|/hr\b|"
                   r"\bв час\b|\bза час\b|\bчас\b|\bmot gio\b|\b1 gio\b|/gio\b|\bmoi gio\b|\btheo gio\b")
_MONTH = re.compile(r"월급|한달|월\s*\d|\d+\s*만\s*원?\s*받|\bper month\b|\ba month\b|/\s*month\b|\bmonthly\b|"
                    r"\bsalary\b|\bв месяц\b|\bза месяц\b|\bзарплат|"
                    r"\bmot thang\b|\b1 thang\b|/thang\b|\bmoi thang\b|\bluong\b")
_MILLIONS_AND = re.compile(r"(?<![\d.,])(\d{1,3})\s*(?:tr|trieu)\s*(\d{1,3})(?:\s*(?:nghin|ngan|k)\b)?(?![\d.,])")
_UNITS = {"만": 10_000, "천": 1_000, "million": 1_000_000, "mln": 1_000_000, "млн": 1_000_000, "миллион": 1_000_000,
          "тыс": 1_000, "k": 1_000, "trieu": 1_000_000, "tr": 1_000_000, "nghin": 1_000, "ngan": 1_000}


@dataclass(frozen=True)
class Pay:
    """An amount in won, per ``hour`` or ``month``."""

    amount: int
    per: str


@dataclass(frozen=True)
class Minimum:
    year: int
    hourly: int
    monthly: int


@functools.lru_cache(maxsize=1)
def minimums() -> dict[int, Minimum]:
    """The minimum wage by year."""
    rows: list[dict[str, Any]] = yaml.safe_load(PATH.read_text(encoding="utf-8")) or []
    return {int(r["year"]): Minimum(int(r["year"]), int(r["hourly"]), int(r["monthly"])) for r in rows}


def _won(number: str, unit: Optional[str]) -> Optional[int]:
    digits = re.sub(r"[ ,.](?=\d{3}\b)", "", number)
    try:
        value = float(digits.replace(",", "."))
    except ValueError:
        return None
    if unit:
        key = next((k for k in _UNITS if unit.lower().startswith(k)), None)
        value *= _UNITS[key] if key else 1
    return round(value)


def stated_pay(text: str) -> Optional[Pay]:
    """The pay a message states, if it states one per hour or per month ("9000 в час", "월급 200만원")."""
    lowered = unicodedata.normalize("NFC", text).casefold()
    folded = " ".join(fold(lowered).split())
    per = "hour" if _HOUR.search(folded) or _HOUR.search(lowered) else \
        "month" if _MONTH.search(folded) or _MONTH.search(lowered) else None
    if per is None:
        return None
    amounts = []
    # "1tr9", "1 trieu 900 (nghin)": Vietnamese for 1.9 million.
    folded = _MILLIONS_AND.sub(lambda m: f"{int(m.group(1)) + int(m.group(2)) / 10 ** len(m.group(2)):g} trieu ",
                               folded)
    for match in _AMOUNT.finditer(folded):
        won = _won(match.group(1), match.group(2))
        if won is not None:
            amounts.append(won)
    # What a resident is paid: an hourly wage is thousands of won, a monthly one hundreds of thousands
    # or more (hours, days and years are not pay).
    plausible = [a for a in amounts if (2_000 <= a <= 200_000 if per == "hour" else 300_000 <= a <= 20_000_000)]
    return Pay(plausible[-1], per) if plausible else None


def compare(pay: Pay, today: dt.date) -> Optional[tuple[bool, Minimum]]:
    """``(below, minimum)`` for this year's minimum wage; ``None`` when this year's is not known."""
    minimum = minimums().get(today.year)
    if minimum is None:
        return None
    floor = minimum.hourly if pay.per == "hour" else minimum.monthly
    return pay.amount < floor, minimum
