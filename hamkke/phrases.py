"""Reading residents' answers and filters in ko, en, ru and vi.

Forms ask one question at a time; residents answer by button (a payload
``answer:<value>``) or by typing ("85년생", "два человека", "2,5 млн",
"khong biet"). These functions turn either into a value, ``UNKNOWN`` ("I
don't know") or ``None`` (not understood: the form asks again). Text is
folded first (hamkke.folding), so Vietnamese with and without diacritics
reads the same.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any, Optional, Union

from hamkke.folding import fold

UNKNOWN = "unknown"
ANSWER_PREFIX = "answer:"

Value = Union[int, str, bool, None]


# A visa code ("F-4", "E9", "D-2-1") is no number of people, years or won.
_VISA_CODE = re.compile(r"(?<![\w-])[a-h]-?\d{1,2}(-\d)?(?![\d-])", re.IGNORECASE)


def _norm(text: str) -> str:
    return " ".join(fold(text).casefold().replace("ё", "е").split())


def _without_visa_codes(text: str) -> str:
    return _VISA_CODE.sub(" ", text)


def button_value(text: str) -> Optional[str]:
    """The value of a form button's payload (``answer:near_poor``), if it is one."""
    text = text.strip()
    return text[len(ANSWER_PREFIX):] if text.startswith(ANSWER_PREFIX) else None


def _any(text: str, patterns: tuple[str, ...]) -> bool:
    return any(re.search(p, text) for p in patterns)


_UNKNOWN = (
    r"\bdon'?t know\b", r"\bdunno\b", r"\bidk\b", r"\bnot sure\b", r"\bno idea\b",
    r"не знаю", r"\bхз\b", r"не уверен", r"понятия не имею", r"не помню",
    r"\b(khong|ko|k|hok|hong|chua) (biet|bik|bt|ro|chac)\b", r"\bkhong nho\b",
    r"모르", r"몰라", r"몰르", r"글쎄",
)


def is_unknown(text: str) -> bool:
    """Whether the resident says they don't know."""
    return button_value(text) == UNKNOWN or _any(_norm(text), _UNKNOWN)


_YES = (r"^(yes|yeah|yep|yup|y|sure|i did|did)\b", r"^(да|ага|угу|использовал|пользовал)",
        r"^(co|roi|da dung|dung roi|vang|u)\b", r"^(네|예|응|어|했|사용했|썼)")
_NO = (r"^(no|nope|nah|n|never|i didn'?t|didn'?t|not)\b", r"^(нет|не использовал|не пользовал|не-а)",
       r"^(khong|ko|k|chua|hong)\b", r"^(아니|아뇨|안 ?했|안 ?썼|없어|없습니다)")


def parse_yes_no(text: str) -> Value:
    """``True``, ``False``, ``UNKNOWN`` or ``None``."""
    value = button_value(text)
    if value in ("yes", "no"):
        return value == "yes"
    if is_unknown(text):
        return UNKNOWN
    norm = _norm(text)
    if _any(norm, _YES):
        return True
    if _any(norm, _NO):
        return False
    return None


def parse_birth_year(text: str, today: dt.date) -> Value:
    """A birth year (1900 to this year), ``UNKNOWN`` or ``None``."""
    value = button_value(text)
    if value == UNKNOWN or is_unknown(text):
        return UNKNOWN
    norm = _norm(_without_visa_codes(text))
    match = re.search(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", norm)
    year: Optional[int] = int(match.group(1)) if match else None
    if year is None:
        # "85년생", "85 г.р.", "born in 85"
        # A bare "07" is a year; a bare "62" an age (the question asks for either: "62 or 1985").
        short = re.search(r"(?<!\d)(\d\d)\s*(년생|년도|г\.?\s*р|гр\b)", norm) or re.fullmatch(r"(0\d)", norm)
        bare = re.fullmatch(r"([1-9]\d?|1[01]\d)", norm)
        if bare:
            year = today.year - int(bare.group(1))
        elif short:
            two = int(short.group(1))
            year = 2000 + two if 2000 + two <= today.year else 1900 + two
    if year is None:
        # An age instead of a year: "мне 62", "62 года", "62살", "62세", "I'm 62", "62 years old", "36 tuoi".
        age = re.search(r"(?:\b(?:мне|ей|ему|маме|папе|сыну|дочке|дочери)\s+|\bi'?m\s+|\bi am\s+|"
                        r"\b(?:she|he)(?:'?s| is)\s+|\bage[d]?\s+)(\d{1,3})\b|"
                        r"(?<!\d)(\d{1,3})\s*(?:год|года|лет|살|세|years?\b|yrs?\b|tuoi\b|t\b)", norm)
        if age:
            years = int(age.group(1) or age.group(2))
            if 0 < years <= 120:
                year = today.year - years  # the birthday may be still to come: the year or the one before
    if year is None or not 1900 <= year <= today.year:
        return None
    return year


_NATIONALITY = {
    "korean": (r"\bkorean\b", r"\bkorea\b", r"коре[йяию]", r"^한국", r"한국 ?국적",
               r"한국인", r"대한민국", r"\b(nguoi|quoc tich) han\b", r"\bhan quoc\b", r"^han\b"),
    "foreign": (r"foreign", r"\bnot korean\b", r"иностран", r"\bне корей", r"росси", r"узбек", r"казах", r"кыргыз",
                r"вьетнам", r"외국", r"\bnuoc ngoai\b", r"\bviet nam\b", r"\bvietnam", r"\bnga\b", r"\bf-?[1-6]\b",
                r"\be-?[79]\b", r"베트남|우즈벡|러시아|카자흐|키르기|중국|필리핀|캄보디아|네팔|몽골",
                r"외국 ?국적|결혼해서 ?왔"),
}


def parse_nationality(text: str) -> Value:
    """``korean``, ``foreign``, ``UNKNOWN`` or ``None``."""
    value = button_value(text)
    if value in ("korean", "foreign", UNKNOWN):
        return value
    if is_unknown(text):
        return UNKNOWN
    norm = _norm(text)
    # "not Korean" and "не кореец" say foreign although they name Korea.
    for nationality in ("foreign", "korean"):
        if _any(norm, _NATIONALITY[nationality]):
            return nationality
    return None


_STATUS = {
    "near_poor": (r"near[- ]?poor", r"차상위", r"малоимущ", r"\bcan ngheo\b", r"\bho can ngheo\b", r"cha sang wi"),
    "basic_livelihood": (r"basic livelihood", r"\blivelihood\b", r"\bbasic\b", r"\brecipient", r"기초", r"수급",
                         r"базов", r"получател", r"прожиточн", r"\btro cap\b", r"\bho ngheo\b",
                         r"sinh hoat co ban"),
    "none": (r"^(none|no|nope|neither|nothing)\b", r"\bnot a recipient\b", r"^нет\b", r"ни то ни другое", r"не получа",
             r"^(khong|ko)\b", r"\bkhong phai\b", r"^(아니|없|해당 ?없|둘 다 아니)"),
}


# The four benefits of a basic livelihood recipient, by name: whoever gets one is a recipient, also when
# the same message says they do not know what 차상위 is.
_NAMED_BENEFIT = re.compile(r"(생계|의료|주거|교육) ?급여")


def parse_benefit_status(text: str) -> Value:
    """``basic_livelihood``, ``near_poor``, ``none``, ``UNKNOWN`` or ``None``."""
    value = button_value(text)
    if value in ("basic_livelihood", "near_poor", "none", UNKNOWN):
        return value
    if _NAMED_BENEFIT.search(text):
        return "basic_livelihood"
    if is_unknown(text):
        return UNKNOWN
    norm = _norm(text)
    for status in ("near_poor", "basic_livelihood", "none"):
        if _any(norm, _STATUS[status]):
            return status
    return None


_WORD_NUMBERS = {
    "one": 1, "alone": 1, "just me": 1, "only me": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8,
    "один": 1, "одна": 1, "одн": 1, "сам": 1, "два": 2, "двое": 2, "две": 2, "три": 3, "трое": 3,
    "четыре": 4, "четверо": 4, "пять": 5, "пятеро": 5, "шесть": 6, "шестеро": 6, "семь": 7, "семеро": 7,
    "mot minh": 1, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7,
    "혼자": 1, "한 ?명": 1, "두 ?명": 2, "둘": 2, "세 ?명": 3, "셋": 3, "네 ?명": 4, "넷": 4, "다섯": 5,
    "여섯": 6, "일곱": 7,
}


def parse_household_size(text: str) -> Value:
    """A number of people (1 to 30), ``UNKNOWN`` or ``None``."""
    value = button_value(text)
    if value == UNKNOWN or is_unknown(text):
        return UNKNOWN
    if value is not None and value.isdigit():
        return int(value) if 1 <= int(value) <= 30 else None
    norm = _norm(_without_visa_codes(text))
    match = re.search(r"(?<![\d.,])(\d{1,2})(?![\d.,])", norm)
    if match:
        size = int(match.group(1))
        return size if 1 <= size <= 30 else None
    for word, size in sorted(_WORD_NUMBERS.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"(^|\s){word}(\s|$|[^\w])", norm):
            return size
    return None


_MULTIPLIERS = (
    (r"^(만|만원)", 10_000), (r"^(천만)", 10_000_000), (r"^(억)", 100_000_000),
    (r"^(million|mil|mln|m\b)", 1_000_000), (r"^(млн|миллион)", 1_000_000), (r"^(trieu|tr\b)", 1_000_000),
    (r"^(k\b|thousand|тыс|тысяч|nghin|ngan|천)", 1_000),
)
_NO_INCOME = (r"\bno income\b", r"^(zero|nothing)\b", r"нет дохода", r"без дохода", r"\bkhong co thu nhap\b",
              r"소득 ?없", r"수입 ?없", r"무소득")


def parse_income(text: str) -> Value:
    """A monthly income in won, ``UNKNOWN`` or ``None``.

    Reads "2,500,000", "2 500 000 вон", "250만원", "2.5 million", "2,5 млн",
    "2.5 triệu" and "no income".
    """
    if button_value(text) == UNKNOWN or is_unknown(text):
        return UNKNOWN
    norm = _norm(_without_visa_codes(text))
    if _any(norm, _NO_INCOME):
        return 0
    # A household's size is no income ("2인가구 월 450": the 450).
    match = next((m for m in re.finditer(r"(\d[\d ,.']*)\s*(\S*)", norm)
                  if not re.match(r"(인|명|people|persons?|человек\w*|чел|nguoi)\b|인가구|인 가구", m.group(2))), None)
    if not match:
        return None
    digits, unit = match.group(1).strip(), match.group(2)
    for pattern, factor in _MULTIPLIERS:
        if re.match(pattern, unit):
            number = float(digits.replace(" ", "").replace("'", "").replace(",", "."))
            return round(number * factor)
    # Without a unit, separators group thousands ("2,500,000", "2.500.000", "2 500 000").
    plain = re.sub(r"[ ,.']", "", digits)
    if not plain.isdigit():
        return None
    amount = int(plain)
    if 0 < amount < 10_000 and re.search(r"[가-힣]", text):
        amount *= 10_000  # "월 450": a monthly income said in Korean without a unit is in 만원
    return amount if amount <= 10_000_000_000 else None


_PROGRAMS = {
    "culture-nuri": (r"nuri", r"нури", r"문화누리", r"통합문화", r"culture card", r"culture voucher",
                     r"the van hoa", r"культурн\w* карт"),
    "youth-culture-pass": (r"youth", r"молод", r"청년", r"thanh nien", r"\bpass\b", r"пасс"),
    "integrated-care": (r"integrated care", r"\bcare\b", r"돌봄", r"уход", r"забот", r"cham soc"),
}


def parse_program(text: str) -> Optional[str]:
    """Which programme a text names, if exactly one."""
    value = button_value(text)
    if value in _PROGRAMS:
        return value
    norm = _norm(text)
    named = [slug for slug, patterns in _PROGRAMS.items() if _any(norm, patterns)]
    return named[0] if len(named) == 1 else None


_PROGRAM_NAMES = {
    # Only the programmes' own names: "care" or "pass" alone name nothing.
    "culture-nuri": (r"문화\s*누리", r"culture\s*nuri", r"\bнури\b", r"мунхва", r"\bvan hoa nuri\b", r"\bthe nuri\b"),
    "youth-culture-pass": (r"청년\s*문화\s*예술\s*패스", r"youth culture pass", r"молод\w* культурн\w* (пропуск|пасс)",
                           r"\bthe van hoa thanh nien\b"),
    "integrated-care": (r"통합\s*돌봄", r"integrated care", r"комплексн\w* уход", r"\bcham soc (tong hop|tich hop)\b"),
}


def named_program(text: str) -> Optional[str]:
    """The programme a message names by its own name ("문화누리카드", "Culture Nuri"), if exactly one."""
    norm = _norm(text)
    named = [slug for slug, patterns in _PROGRAM_NAMES.items() if _any(norm, patterns)]
    return named[0] if len(named) == 1 else None


# -- the service finder ---------------------------------------------------------

_CATEGORIES = {
    "visa": (r"visa", r"виз", r"비자", r"출입국", r"체류", r"immigration", r"миграц", r"xuat nhap canh", r"thi thuc"),
    "labour": (r"labou?r", r"\bwork", r"\bjob", r"wage", r"salary", r"\bработ(а|у|ы|е|ой)?\b", r"работодат",
               r"зарплат", r"труд", r"노동", r"임금",
               r"일자리", r"\bviec\b", r"\bluong\b", r"lao dong"),
    "health": (r"health", r"hospital", r"clinic", r"doctor", r"medical", r"здоров", r"больниц", r"клиник", r"врач",
               r"мед", r"병원", r"건강", r"의료", r"benh vien", r"suc khoe", r"bac si", r"y te"),
    "family": (r"family", r"marri", r"child", r"семь", r"брак", r"дет", r"가족", r"다문화", r"결혼", r"gia dinh",
               r"ket hon", r"con cai",
               # a child's speech is late: the family centres' language-development classes
               r"speech delay", r"late talker", r"language development", r"задержк\w* речи", r"развити\w* речи",
               r"плохо говорит", r"noi cham", r"cham noi", r"언어 ?발달", r"말이 ?늦", r"말을 ?늦게"),
    "legal": (r"legal", r"lawyer", r"law\b", r"юрид", r"адвокат", r"юрист", r"법률", r"변호사", r"luat"),
    "korean_classes": (r"korean class", r"korean lesson", r"learn korean", r"курс\w* корейск", r"корейск\w* язык",
                       r"한국어", r"tieng han", r"hoc tieng", r"topik", r"kiip"),
    "emergency": (r"emergenc", r"police", r"ambulance", r"fire", r"экстрен", r"полиц", r"скор", r"пожар", r"긴급",
                  r"응급", r"경찰", r"khan cap", r"cap cuu", r"canh sat"),
    "community": (r"communit", r"goryeoin", r"고려인", r"общин", r"коре[йи]ск\w* (деревн|сел)", r"cong dong"),
    "welfare": (r"welfare", r"social", r"соц", r"복지", r"phuc loi", r"tro cap"),
}
_DISTRICTS = {
    "dong-gu": (r"\bdong[- ]?gu\b", r"동구", r"\bдонгу\b", r"\bдон-гу\b", r"\bquan dong\b"),
    "seo-gu": (r"\bseo[- ]?gu\b", r"서구", r"\bсогу\b", r"\bсо-гу\b", r"\bquan seo\b"),
    "nam-gu": (r"\bnam[- ]?gu\b", r"남구", r"\bнамгу\b", r"\bнам-гу\b", r"\bquan nam\b"),
    "buk-gu": (r"\bbuk[- ]?gu\b", r"북구", r"\bбукгу\b", r"\bбук-гу\b", r"\bquan buk\b"),
    "gwangsan-gu": (r"gwangsan", r"광산", r"[кг]вансан", r"quang ?san", r"gwang ?san", r"wolgok", r"월곡",
                    r"вольгок", r"вол[ьг]?гок"),
}
_LANGUAGES = {
    "ru": (r"russian", r"русск", r"по-русски", r"러시아", r"tieng nga"),
    "vi": (r"vietnam", r"вьетнам", r"베트남", r"tieng viet"),
    "en": (r"english", r"английск", r"영어", r"tieng anh"),
    "zh": (r"chinese", r"китайск", r"중국어", r"tieng trung"),
    "uz": (r"uzbek", r"узбекск", r"우즈베크"),
}
_OPEN_NOW = (r"open now", r"now open", r"open right now", r"still open", r"сейчас (открыт|работа)",
             r"(открыт|работа\w*) сейчас", r"dang mo", r"mo cua (bay gio|luc nay)", r"(bay gio|luc nay) .*mo cua",
             r"지금", r"영업 ?중", r"문 ?(연|열)")


def service_filters(text: str) -> dict[str, str]:
    """The category, district, language and "open now" a text asks for."""
    norm = _norm(text)
    found: dict[str, str] = {}
    for key, table in (("category", _CATEGORIES), ("district", _DISTRICTS), ("language", _LANGUAGES)):
        for value, patterns in table.items():
            if _any(norm, patterns):
                found[key] = value
                break
    if _any(norm, _OPEN_NOW):
        found["open_now"] = "true"
    return found


_EVENT_TOPICS = {
    "human_rights": (r"human rights", r"прав\w* человека", r"nhan quyen", r"인권"),
    "commemoration": (r"5[·.]?18", r"memorial", r"commemorat", r"памят", r"годовщин", r"tuong niem", r"ky niem",
                      r"기념", r"추모"),
    "education": (r"student", r"студент", r"sinh vien", r"du hoc", r"유학생", r"학생"),
    "festival": (r"festival", r"фестивал", r"праздник", r"le hoi", r"축제"),
    "culture": (r"cultur", r"\bart\b", r"arts", r"biennale", r"exhibition", r"культур", r"искусств", r"биеннале",
                r"выставк", r"van hoa", r"nghe thuat", r"trien lam", r"문화", r"예술", r"비엔날레", r"전시"),
    "community": (r"communit", r"world day", r"goryeoin", r"общин", r"корё-сарам", r"cong dong", r"세계인", r"고려인",
                  r"공동체"),
}


def event_topic(text: str) -> Optional[str]:
    """The kind of event a text asks for ("festivals", "культурные", "sự kiện văn hóa"), if any."""
    norm = _norm(text)
    for topic, patterns in _EVENT_TOPICS.items():
        if _any(norm, patterns):
            return topic
    return None


# -- time frames ------------------------------------------------------------------

_MONTHS = {
    1: (r"january", r"\bjan\b", r"январ", r"\bthang (1|mot|gieng)\b", r"(?<!\d)1 ?월"),
    2: (r"february", r"\bfeb\b", r"феврал", r"\bthang (2|hai)\b", r"(?<!\d)2 ?월"),
    3: (r"march", r"\bmar\b", r"\bмарт", r"\bthang (3|ba)\b", r"(?<!\d)3 ?월"),
    4: (r"april", r"\bapr\b", r"апрел", r"\bthang (4|tu)\b", r"(?<!\d)4 ?월"),
    # "may" is also Vietnamese "mấy" ("may gio", "thu may"): not the month then
    5: (r"(?<!thu )(?<!ngay )(?<!luc )(?<!lan )\bmay\b(?! (gio|h|ngay|tieng|lan|nguoi|tuoi|phut|buoi|i|we|be|luc)\b)",
        r"\bма[йяе]\b", r"\bthang (5|nam)\b", r"(?<!\d)5 ?월"),
    # "tháng sáu" (June) and "tháng sau" (next month) fold alike: only the digit here.
    6: (r"june", r"\bjun\b", r"июн", r"\bthang 6\b", r"(?<!\d)6 ?월"),
    7: (r"july", r"\bjul\b", r"июл", r"\bthang (7|bay)\b", r"(?<!\d)7 ?월"),
    8: (r"august", r"\baug\b", r"август", r"\bthang (8|tam)\b", r"(?<!\d)8 ?월"),
    9: (r"september", r"\bsep\b", r"сентябр", r"\bthang (9|chin)\b", r"(?<!\d)9 ?월"),
    10: (r"october", r"\boct\b", r"октябр", r"\bthang (10|muoi)\b", r"(?<!\d)10 ?월"),
    11: (r"november", r"\bnov\b", r"ноябр", r"\bthang (11|muoi mot)\b", r"(?<!\d)11 ?월"),
    12: (r"december", r"\bdec\b", r"декабр", r"\bthang (12|muoi hai|chap)\b", r"(?<!\d)12 ?월"),
}
_FRAMES = {
    "today": (r"\btoday\b", r"\btonight\b", r"сегодня", r"hom nay", r"오늘"),
    "weekend": (r"weekend", r"выходны", r"cuoi tuan", r"주말"),
    "next_week": (r"next week", r"следующ\w* недел", r"tuan (sau|toi)", r"다음 ?주"),
    "this_week": (r"this week", r"\bweek\b", r"эт\w* недел", r"\bнедел", r"tuan nay", r"이번 ?주", r"금주"),
    "next_month": (r"next month", r"следующ\w* месяц", r"thang (sau|toi)", r"다음 ?달", r"다음 ?월"),
    "this_month": (r"this month", r"\bmonth\b", r"эт\w* месяц", r"\bмесяц", r"thang nay", r"이번 ?달", r"이달"),
    "next_year": (r"next year", r"следующ\w* год", r"nam sau", r"nam toi", r"내년"),
    "this_year": (r"this year", r"эт\w* год", r"в \d{4}", r"nam nay", r"올해", r"금년"),
}


# Seasons: (first month, last month) and how they are named.
_SEASONS = {
    "spring": ((3, 5), (r"\bspring\b", r"\bвесн", r"\bmua xuan\b", r"봄")),
    "summer": ((6, 8), (r"\bsummer\b", r"\bлет(о|ом|ом\w*)\b", r"\bmua he\b", r"여름")),
    "autumn": ((9, 11), (r"\bautumn\b", r"\bосен", r"\bmua thu\b", r"가을")),
    "winter": ((12, 2), (r"\bwinter\b", r"\bзим", r"\bmua dong\b", r"겨울")),
}
_CHRISTMAS = (r"christmas", r"\bxmas\b", r"рождеств", r"giang sinh", r"\bnoel\b", r"크리스마스", r"성탄")
_NEW_YEAR = (r"new year", r"нов\w* год", r"giao thua", r"tet duong lich", r"새해", r"연말", r"제야")
# "until March", "до марта", "tu gio toi thang 3", "3월까지": from today to the month's end
_UNTIL = re.compile(r"\b(until|till|til|through|up to|before|до|по|toi|den|truoc)\s+(the end of |конца )?$")


def day_of_month(text: str) -> Optional[tuple[int, int]]:
    """The (month, day) a message names: "5월 20일", "20/5", "ngay 20 thang 5", "May 20", "20 мая"; ``None``
    when it names none (or only a month). Digits alone are read day first, as Gwangju's residents write them,
    unless the first number cannot be a month ("5/20")."""
    norm = _norm(text)
    korean = re.search(r"(\d{1,2})\s*월\s*(\d{1,2})\s*일", norm)
    if korean:
        pair = (int(korean.group(1)), int(korean.group(2)))
    elif (vietnamese := re.search(r"\b(\d{1,2})\s+thang\s+(\d{1,2})\b", norm)):
        pair = (int(vietnamese.group(2)), int(vietnamese.group(1)))
    elif (digits := re.search(r"(?<![\d/.])(\d{1,2})[/.](\d{1,2})(?![\d/.]\d)", norm)):
        first, second = int(digits.group(1)), int(digits.group(2))
        pair = (first, second) if second > 12 else (second, first)
    else:
        months = [month for month, patterns in _MONTHS.items() if _any(norm, patterns[:3])]
        numbers = [int(n) for n in re.findall(r"(?<![\d.:/])(\d{1,2})(?:st|nd|rd|th|-?го|-?е)?(?![\d.:/])", norm)]
        if len(months) != 1 or len(numbers) != 1:
            return None
        pair = (months[0], numbers[0])
    month, day = pair
    return pair if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2028, month)[1] else None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def time_frame(text: str, today: dt.date) -> Optional[tuple[dt.date, dt.date, str]]:
    """The dates a text asks about ("this week", "in May", "в октябре", "tháng 5", "5월", "in spring",
    "until March", "over Christmas").

    Returns (first day, last day, name of the frame) or ``None``. A month
    without a year is the next such month not yet over; so is a season.
    """
    norm = _norm(text)
    if re.search(r"tháng sáu", text.casefold()):
        norm += " thang 6"
    for month, patterns in _MONTHS.items():
        match = next((m for m in (re.search(p, norm) for p in patterns) if m), None)
        if match:
            year = today.year if month >= today.month else today.year + 1
            if _UNTIL.search(norm[:match.start()]) or re.match(r"\s*까지", norm[match.end():]):
                return today, _month_end(year, month), "until"
            return dt.date(year, month, 1), _month_end(year, month), "month"
    if _any(norm, _CHRISTMAS):
        year = today.year if today <= dt.date(today.year, 12, 26) else today.year + 1
        end = dt.date(year + 1, 1, 1) if _any(norm, _NEW_YEAR) else dt.date(year, 12, 26)
        return max(today, dt.date(year, 12, 24)), end, "christmas"
    for season, ((first_month, last_month), patterns) in _SEASONS.items():
        if not _any(norm, patterns):
            continue
        year = today.year
        end_year = year + 1 if last_month < first_month else year
        if _month_end(end_year, last_month) < today:
            year, end_year = year + 1, end_year + 1
        return max(today, dt.date(year, first_month, 1)), _month_end(end_year, last_month), season
    for frame, patterns in _FRAMES.items():
        if not _any(norm, patterns):
            continue
        if frame == "today":
            return today, today, frame
        if frame == "weekend":
            saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
            if today.weekday() == 6:
                saturday = today - dt.timedelta(days=1)
            return max(saturday, today), saturday + dt.timedelta(days=1), frame
        if frame in ("this_week", "next_week"):
            monday = today - dt.timedelta(days=today.weekday())
            if frame == "next_week":
                monday += dt.timedelta(days=7)
            return monday, monday + dt.timedelta(days=6), frame
        if frame in ("this_month", "next_month"):
            year, month = today.year, today.month
            if frame == "next_month":
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            first = dt.date(year, month, 1)
            return first, dt.date(year, month, calendar.monthrange(year, month)[1]), frame
        year = today.year + (1 if frame == "next_year" else 0)
        return dt.date(year, 1, 1), dt.date(year, 12, 31), frame
    return None


_GREETING = re.compile(
    r"^\s*(?:hello|hi|hey|good (?:morning|afternoon|evening)|greetings|"
    r"здравствуйте|здрасьте|привет|добрый (?:день|вечер)|доброе утро|"
    r"xin ch[àa]o(?: (?:anh|chị|chi|em|bạn|ban|ad|admin|ạ|a))?|ch[àa]o (?:anh|chị|chi|em|bạn|ban|ad|admin)|alo|"
    r"안녕하세요|안녕하십니까|안녕|실례합니다)[\s,.!?~ㅎ:;)]*", re.IGNORECASE)


def without_greeting(text: str) -> str:
    """The question in a greeting that carries one ("Здравствуйте, подскажите где 출입국" -> "подскажите где 출입국").

    A greeting alone, or with a word or so after it, is left as it is: that is a greeting.
    """
    match = _GREETING.match(text)
    if not match:
        return text
    rest = text[match.end():].strip()
    if len(rest.split()) >= 2 or (len(rest) >= 4 and re.search(r"[가-힣]{3}", rest)):
        return rest
    return text


_STATED_BIRTH = re.compile(r"년생|г\.?\s*р|\bborn\b|\bsinh nam\b|рождения|"
                           r"\b(мне|ей|ему|маме|папе|сыну|дочке|дочери)\s+\d|\bi'?m\s+\d|\bi am\s+\d|"
                           r"\b(she|he)('?s| is)\s+\d|"
                           r"\d\s*(?:살|세)|\d\s*(?:лет|года?|years?|tuoi)\b")


# A child's age said while the resident asks for themself ("can i get it? we have 1 son 5 years old"):
# not the resident's age.
_CHILD_AGE = re.compile(r"\b(son|daughter|child|kid|baby|boy|girl|сын\w*|доч\w*|реб[её]н\w*|дет\w*|малыш\w*|"
                        r"con( trai| gai)?|be)\b(\W+\w+){0,2}?\W+\d{1,2}\s*(years?|yrs?|лет|года?|tuoi|t)\b|"
                        r"(아들|딸|아이|애기|아기|애)(는|가|이)?\s*\d{1,2}\s*(살|세)")
_ASKS_FOR_SELF = re.compile(r"\bcan i\b|\bi can\b|\b(for|to) me\b|\bмне (можно|положен|да)|\bя могу\b|"
                            r"제가|저도|나도|저는|\b(toi|em|minh) (co )?(duoc|lam|dang ky)\b")


def stated_birth_year(text: str, today: dt.date) -> Optional[int]:
    """A birth year or age stated in passing ("мне 62, можно 문화누리카드?"), else ``None``.

    Stricter than :func:`parse_birth_year`, which reads a bare "1985" as the answer to
    its question: here a year must come as one ("85년생", "born 1985", "62 года"). A child's
    age, while the resident asks for themself, is not theirs.
    """
    norm = _norm(text)
    if not _STATED_BIRTH.search(norm):
        return None
    if _CHILD_AGE.search(norm) and _ASKS_FOR_SELF.search(norm) and not re.search(
            r"\b(i'?m|i am|мне|toi|em) \d{1,3}\b|\d\s*(년생|г\.?\s*р)|\bborn\b", norm):
        return None
    value = parse_birth_year(text, today)
    return value if isinstance(value, int) else None


# Someone else's age, said after the card's answer: "мужу 66", "my mother in law is 63", "kids 8 and 14 years".
_RELATIVE = re.compile(r"\b(husband|wife|mother|father|mom|mum|dad|son|daughters?|kids?|child(ren)?|grand\w*|in[- ]law|"
                       r"sister|brother|муж\w*|жен[аеуы]\w*|мам\w*|пап\w*|сын\w*|доч\w*|дет\w*|реб[её]н\w*|бабушк\w*|"
                       r"дедушк\w*|деду|свекр\w*|тещ\w*|св[её]кр\w*|chong|vo|con|bo|me|ong|ba)\b|남편|아내|와이프|엄마|"
                       r"아빠|아들|딸|애들|아이|시어머니|시아버지|장모|장인|할머니|할아버지|어머니|아버지")
_AGE_NUMBER = re.compile(r"(?<![\d,.])(\d{1,3})"
                         r"(?!\d|[,.]\d|\s*(won|원|вон|₩|%|만|тыс|k\b|am|pm|시|월|일|год[ау]? рожд))")


# A visa code given alone ("F4", "H-2", "student D2", "я на E-9", "visa F-6 a"): the visa the resident holds.
_BARE_VISA = re.compile(r"(?:(?:yes|yeah|да|vang|da|네|my|i'?m|i am|on|visa|виза|визa|у меня|я на|мы на|моя|toi|em|e|"
                        r"la|비자|저는)[\s,]+)*"
                        r"(?:(?:student|студент\w*|sinh vien|유학생)\s+)?([a-h])[- ]?(\d{1,2})(?:-(\d))?"
                        r"(?:\s*(?:visa|виза|비자|에요|예요|이에요|입니다|also|тоже|a|too|nha))*"
                        # with how long one has been here: "D2, 2 months here", "E-9, 3 года"
                        r"(?:[\s,]+(?:\d+|one|two|three)\s*(?:months?|weeks?|years?|месяц\w*|недел\w*|год\w*|лет|"
                        r"thang|tuan|nam|개월|달|년)"
                        r"(?:\s*(?:here|in korea|в корее|здесь|o han|o day|째|됐어요|roi))*)?")


def others_ages(text: str) -> list[int]:
    """The ages a short message gives for relatives ("мужу 66", "and my kids? 8 and 14 years"), else []."""
    lowered = fold(text.casefold())
    if len(lowered.split()) > 14 or not _RELATIVE.search(lowered) or re.search(r"(19|20)\d\d", lowered):
        return []
    ages = [int(m.group(1)) for m in _AGE_NUMBER.finditer(lowered)]
    return [age for age in ages if 0 < age <= 110][:4]


# How one comes to be a basic livelihood recipient or near-poor ("как стать 차상위?", "차상위 어떻게 되나요?").
_WELFARE_STATUS = re.compile(r"near[- ]?poor|basic livelihood|малоимущ|базов\w* пособ|\bcan ngheo\b|"
                             r"차상위|기초 ?생활|기초 ?수급|수급자")
_BECOME = re.compile(r"\bbecome\b|\bqualify\b|\bhow (do|can|could) (i|we|she|he|they) (get|apply)|\bhow to (get|apply)|"
                     r"\bстать\b|\bоформить\b|\bполучить статус|"
                     r"\blam (sao|the nao|cach nao) (de )?(duoc|thanh|la|vao)\b|\btro thanh\b|"
                     r"\bdang ky (lam )?(ho )?can|"
                     r"되려면|될 ?수|되는 ?(법|방법)|되나요|될까요|어떻게 ?(되|신청)|신청 ?(방법|어떻게)|인정 ?받")


def asks_how_to_get_status(text: str) -> bool:
    """Whether a message asks how one becomes a basic livelihood recipient or near-poor ("как стать 차상위?")."""
    folded = fold(text.casefold())
    if len(folded.split()) > 20 or named_program(text):
        return False  # "기초수급자 할머니 문화누리카드 지금 신청되나요": the card is asked about, the status stated
    # the two said together: "как стать 차상위", "기초생활수급자 иностранцу можно стать", "차상위 신청 어떻게 해요"
    return _said_near(folded, _WELFARE_STATUS, _BECOME, 25)


def _said_near(folded: str, one: re.Pattern[str], other: re.Pattern[str], gap: int) -> bool:
    """Whether ``one`` and ``other`` match within ``gap`` characters of each other, in either order."""
    first = [m.span() for m in one.finditer(folded)]
    second = [m.span() for m in other.finditer(folded)]
    return any(0 <= b_start - a_end <= gap or 0 <= a_start - b_end <= gap
               for a_start, a_end in first for b_start, b_end in second)


_WHAT_IS = re.compile(r"\bwhat('?s| is| are| does)\b|\bwho (is|are|counts)\b|\bmeans?\b|\bчто (такое|это|значит)\b|"
                      r"\bэто (кто|что)\b|\bкто (это|такие|такой|считается)\b|\bla (gi|ai)\b|\bnghia la\b|"
                      r"뭐(예요|에요|야|죠|지|가요)|뭔가요|뭔데|무슨 ?뜻|누구(예요|에요|야|죠|를)|"
                      r"(?<=[가-힣])(이|가)란|(?<=[가-힣])란\b")


def asks_what_status_is(text: str) -> bool:
    """Whether a short message asks what near-poor or a basic livelihood recipient is ("а 차상위 это кто вообще",
    "차상위가 뭐예요?", "cha sang wi la gi"), rather than how to become one or stating it."""
    folded = fold(text.casefold())
    if len(folded.split()) > 10 or named_program(text):
        return False
    return _said_near(folded, _WELFARE_STATUS, _WHAT_IS, 12)


def bare_visa(text: str) -> Optional[str]:
    """The visa code a message gives alone, written as "F-4" ("F4", "student D2", "я на E-9"), else ``None``."""
    found = _BARE_VISA.fullmatch(fold(text.casefold()).strip(" .!?,"))
    if found is None:
        return None
    return f"{found.group(1).upper()}-{found.group(2)}" + (f"-{found.group(3)}" if found.group(3) else "")


_STATED_NATIONALITY = {
    # Said in passing, so only unmistakable words: "we don't speak Korean" says nothing of a passport.
    "foreign": (r"\bnot (a )?korean (citizen|national)", r"\bforeign(er| national| citizen)\b",
                r"\bне (гражданин|гражданка) (кореи|корейск)", r"\bиностран(ец|ка|цы|ный гражданин)\b",
                r"гражданин\w* (узбек|казах|росс|кыргыз)",
                r"\b(uzbek|kazakh|russian|vietnamese|kyrgyz)\w* (citizen|national|passport)",
                r"한국 ?국적(이)? ?아니", r"외국 ?국적",
                r"\bkhong (co )?quoc tich han\b", r"\bquoc tich (viet|nga|uzbek)",
                # Whoever holds a visa, or came by marriage, is a foreign national.
                r"(?<![\w-])[a-h]-?\d{1,2}(-\d)? ?(visa|виз|비자)",
                r"(visa|виза|визой|비자|thi thuc) ?[a-h]-?\d{1,2}\b",
                r"(?<![\w-])[c-h]-\d{1,2}(-\d)?(?![a-z0-9-])",
                r"\bmarriage migrant", r"결혼 ?이민", r"결혼해서 ?(왔|한국)", r"брачн\w* мигрант", r"\bco dau viet\b",
                r"외국인(이에요|이예요|인데|이고|입니다|이라서|이라|이야)", r"\bi'?m (an? )?(american|foreigner)\b",
                r"\b(toi|em|minh) (la )?nguoi nuoc ngoai\b",
                # An international student studies here on a student visa.
                r"유학생", r"\b(international|foreign|exchange) students?\b", r"\bиностранн\w* студент",
                r"\bstudent from (vietnam|russia|uzbekistan|kazakhstan|abroad)\b", r"\bdu hoc sinh\b",
                r"\b(toi|em|minh) (dang )?(la )?du hoc\b"),
    "korean": (r"\bkorean (citizen|citizenship|nationality|passport)\b", r"\bnaturali[sz]ed\b",
               r"гражданств\w* (кореи|корейск|республики корея)", r"корейск\w* гражданств", r"корейский паспорт",
               r"한국 ?국적(이에|이고|이야|입니|이예|있)", r"귀화했", r"\b(co|da co|nhap) quoc tich han\b"),
}


# "семья из двух": the genitive, which an answer to "how many?" never takes (_WORD_NUMBERS has the rest).
_GENITIVE_SIZES = {"двух": 2, "трёх": 3, "трех": 3, "четырёх": 4, "четырех": 4}
_STATED_HOUSEHOLD = (
    r"\b(?:we are|we're|there are) (\d{1,2}|two|three|four|five|six)\b(?: of us| people| persons)?"
    r"(?= in (?:the |our |a )?(?:household|family|house|home)|\s*$|[,.;])",
    r"\bhousehold of (\d{1,2}|two|three|four|five|six)\b",
    r"\b(\d{1,2}) (?:people|persons) in (?:the |our |a )?(?:household|family|house)\b",
    r"\bнас (\d{1,2}|двое|трое|четверо|пятеро)\b", r"\bсемья из (\d{1,2}|двух|тр[её]х|четыр[её]х)\b",
    r"\bnha (?:co |em co |minh co |toi co )?(\d{1,2}) (?:nguoi|thanh vien)\b", r"\bho (\d{1,2}) nguoi\b",
    r"(\d{1,2})인 ?가구", r"가족(?:이|은)? ?(\d{1,2}) ?명", r"(\d{1,2}) ?명이서",
)
_ALONE = re.compile(r"혼자 ?(사세요|사시고|사셔|살아요|살고|사는|사십니다|삽니다)|\bживу одна?\b|\bживет одна?\b|"
                    r"\b(i|he|she) lives? alone\b|\bsong mot minh\b")
_INCOME_WORD = re.compile(r"\bincome\b|\bsalary\b|\bearn(s|ing)?\b|\bpension\b|доход|зарплат|пенси|"
                          r"\bthu nhap\b|\bluong\b|\blương\b|소득|월급|연금|수입|"
                          r"(?<![\d가-힣])월(?=\s?\d)")  # "2인가구 월 450": a month's money, not a month


def stated_household(text: str) -> Optional[int]:
    """A household's size said in passing ("we are 2 in household", "нас трое", "2인 가구", "혼자 사세요")."""
    norm = _norm(text)
    if _ALONE.search(norm):
        return 1
    for pattern in _STATED_HOUSEHOLD:
        found = re.search(pattern, norm)
        if found:
            word = found.group(1)
            size = int(word) if word.isdigit() else _WORD_NUMBERS.get(word, _GENITIVE_SIZES.get(word))
            if size is not None and 1 <= size <= 30:
                return size
    return None


def stated_income(text: str) -> Optional[int]:
    """A monthly income said in passing after a word for it ("income around 5 million", "연금 월 150정도",
    "доход 3 млн"); a bare number under 10,000 after a Korean word is in 만원, as Koreans say it."""
    norm = _norm(_without_visa_codes(text))
    word = _INCOME_WORD.search(norm)
    if word is None:
        return None
    after = norm[word.end():]
    number = re.search(r"\d", after)
    if number is None or number.start() > 12:
        return None
    value = parse_income(after[number.start():])
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if value < 10_000 and re.search(r"[가-힣]", word.group(0)):
        value *= 10_000
    return value if value >= 10_000 else None


def stated_facts(text: str, today: dt.date) -> dict[str, Any]:
    """What a message says in passing that an eligibility check asks: a birth year or age, a benefit, a nationality.

    Only what is stated plainly is taken ("мне 62", "우리집 차상위에요", "I'm a Korean citizen"), so that a
    later check does not ask again; "no", "don't know" and bare numbers are answers only to a question.
    """
    norm = _norm(text)
    found: dict[str, Any] = {}
    year = stated_birth_year(text, today)
    if year is not None:
        found["birth_year"] = year
    if _NAMED_BENEFIT.search(text):
        found["benefit_status"] = "basic_livelihood"
    elif _any(norm, _STATUS["near_poor"]):
        found["benefit_status"] = "near_poor"
    elif re.search(r"livelihood|기초생활|수급|базов\w* (пособ|обеспеч)|получател|прожиточн|"
                   r"\btro cap (sinh hoat|co ban)\b|\bho ngheo\b|sinh hoat co ban", norm):
        found["benefit_status"] = "basic_livelihood"
    for nationality in ("foreign", "korean"):
        if _any(norm, _STATED_NATIONALITY[nationality]):
            found["nationality"] = nationality
            break
    size, income = stated_household(text), stated_income(text)
    if size is not None:
        found["household_size"] = size
    if income is not None:
        found["monthly_income_krw"] = income
    return found
