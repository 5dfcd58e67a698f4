"""Personal data is masked before it is stored, logged or sent to Rasa."""

import pytest

from hamkke.privacy import PHONE_MASK, RRN_MASK, contains_personal_data, mask


@pytest.mark.parametrize(
    "text",
    [
        "내 외국인등록번호 900101-5123456, 010-1234-5678",
        "내 외국인등록번호 9001015123456, 01012345678",
        "내 외국인등록번호 ９００１０１－５１２３４５６, ０１０－１２３４－５６７８",
        "мой номер 900101 5123456 и телефон 010 1234 5678",
        "so cua toi 900101-5123456 dt 010.1234.5678",
    ],
)
def test_registration_and_phone_numbers_are_masked(text: str) -> None:
    masked = mask(text)
    assert RRN_MASK in masked and PHONE_MASK in masked
    for secret in ("5123456", "1234", "5678", "５１２３４５６"):
        assert secret not in masked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+82 10-9876-5432", PHONE_MASK),
        ("062-605-5280", PHONE_MASK),
        ("02 345 6789", PHONE_MASK),
        ("write to kim.lee+x@example.co.kr", "[EMAIL]"),
        ("card 1234 5678 9012 3456", "[CARD-NUMBER]"),
    ],
)
def test_other_personal_data(text: str, expected: str) -> None:
    assert expected in mask(text)


@pytest.mark.parametrize(
    "text",
    ["call 1345", "Danuri 1577-1366", "born 2007, ₩200,000", "F-4 visa 2026-06-30", "120 call centre"],
)
def test_service_numbers_dates_and_amounts_are_kept(text: str) -> None:
    assert mask(text) == text
    assert not contains_personal_data(text)



@pytest.mark.parametrize("filler", ["a", "1", "a.", "+", "a@"])
def test_a_long_message_is_masked_without_backtracking(filler: str) -> None:
    """Bounded patterns: a 100 kB message is scanned once (a quadratic scan would hang here)."""
    text = filler * 50_000
    assert len(mask(text)) <= len(text)


@pytest.mark.parametrize("text", [
    "900101 - 5123457", "900101—5123458", "900101_5123459", "900101 – 5123450", "900101/5123451",
    "(010)4321-8767", "010/4321/8766", "010 - 4321 - 8765", "010-4321-\n8764", "010 4321\n8763",
    "٠١٠-٤٣٢١-٨٧٦٢", "۰۱۰-۴۳۲۱-۸۷۶۶", "𝟎𝟏𝟎-𝟒𝟑𝟐𝟏-𝟖𝟕𝟔𝟏", "０１０－４３２１－８７６０", "+82 (0)10 4321 8759",
    "1234—5678—9012—3456", "1234_5678_9012_3456",
])
def test_the_variants_that_slipped_through_are_masked(text: str) -> None:
    masked = mask(f"мой номер {text} спасибо")
    assert not any(ch.isdigit() for ch in masked), masked
    assert masked.startswith("мой номер [") and masked.endswith("] спасибо")


@pytest.mark.parametrize("text", ["1345", "1577-1366", "119", "2026.03.10", "2026-12-06", "₩150,000", "10:00-18:00",
                                  "room 101-1203", "50 000 вон", "born 1962, I'm 62"])
def test_what_is_not_personal_stays(text: str) -> None:
    assert mask(text) == text
