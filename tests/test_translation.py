"""Machine translation for the staff console (hamkke.translation, data/glossary.yml).

Real HTTP through deep-translator's LibreTranslator to a LibreTranslate
stand-in on localhost (tests/libretranslate.py): no mocks of the client.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from hamkke.config import PROJECT_ROOT, Secret, Settings
from hamkke.privacy import mask, normalise
from hamkke.translation import (
    NOT_CONFIGURED,
    PROVIDER_ERROR,
    TIMEOUT,
    Glossary,
    Translation,
    Translator,
    _client,
    _mask_keeping,
)
from tests.helpers import free_port
from tests.libretranslate import LibreTranslate


def libre_settings(url: str, **changes: Any) -> Settings:
    fields: dict[str, Any] = {"translation_provider": "libre", "translation_url": url, "translation_timeout_s": 3.0}
    return dataclasses.replace(Settings(), **{**fields, **changes})


@pytest.fixture
def libre() -> Iterator[LibreTranslate]:
    with LibreTranslate() as server:
        yield server


@pytest.fixture
async def translator(libre: LibreTranslate) -> AsyncIterator[Translator]:
    translator = Translator(libre_settings(libre.url))
    yield translator
    await translator.close()


@pytest.fixture
def glossary() -> Glossary:
    return Glossary.load()


# --- Through the engine ------------------------------------------------------


async def test_russian_message_reads_in_korean_with_terms_codes_numbers_and_amounts_intact(
        translator: Translator, libre: LibreTranslate) -> None:
    text = "Здравствуйте! У меня виза F-4, я хочу получить 문화누리카드 на 150 000 вон. Позвоните в Данури 1577-1366."
    result = await translator.translate(text, "ru", "ko")
    assert result.ok and result.error is None
    assert (result.source, result.target, result.provider) == ("ru", "ko", "libre")
    assert result.text is not None
    for kept in ("안녕하세요", "비자 F-4", "문화누리카드", "150 000 вон", "다누리콜센터 1577-1366"):
        assert kept in result.text
    assert "Здравствуйте" not in result.text and "Данури" not in result.text
    # The engine saw placeholders, not the terms.
    [sent] = libre.texts
    for term in ("문화누리카드", "F-4", "1577-1366", "150 000", "Данури"):
        assert term not in sent
    assert libre.requests[-1]["params"]["source"] == "ru" and libre.requests[-1]["params"]["target"] == "ko"


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Я хочу получить карту культуры", "ru"),
        ("Я хочу получить культурную карту", "ru"),
        ("Tôi muốn đăng ký thẻ văn hóa", "vi"),
        ("Toi muon dang ky the van hoa", "vi"),
        ("I want to apply for the Culture Nuri card", "en"),
    ],
)
async def test_a_residents_own_spelling_of_a_term_reads_as_the_korean_term(
        translator: Translator, text: str, source: str) -> None:
    result = await translator.translate(text, source, "ko")
    assert result.ok and result.text is not None
    assert "문화누리카드" in result.text
    assert "카드 문화" not in result.text  # the engine's own guess


@pytest.mark.parametrize(
    ("target", "renderings", "words"),
    [
        ("ru", ["карта «Мунхва Нури» (문화누리카드)", "общественный центр (주민센터 / 행정복지센터)"],
         "подайте заявление"),
        ("vi", ["thẻ Văn hóa Nuri (문화누리카드)", "trung tâm hành chính phường (주민센터 / 행정복지센터)"],
         "hãy đăng ký"),
        ("en", ["Culture Nuri card (문화누리카드)", "community centre (주민센터 / 행정복지센터)"], "apply"),
    ],
)
async def test_a_korean_reply_renders_terms_as_agreed(translator: Translator, target: str,
                                                      renderings: list[str], words: str) -> None:
    result = await translator.translate("문화누리카드는 행정복지센터에서 신청하세요.", "ko", target)
    assert result.ok and result.text is not None
    for rendering in [*renderings, words]:
        assert rendering in result.text


@pytest.mark.parametrize("status", [500, 400])
async def test_a_provider_error_is_reported_not_raised(translator: Translator, libre: LibreTranslate,
                                                       status: int, caplog: pytest.LogCaptureFixture) -> None:
    libre.mode, libre.error_status = "error", status
    with caplog.at_level(logging.INFO, logger="hamkke.translation"):
        result = await translator.translate("Здравствуйте, у меня виза F-4", "ru", "ko")
    assert result == Translation(None, "ru", "ko", "libre", PROVIDER_ERROR)
    assert not result.ok
    assert "ServerException" in caplog.text
    assert "Здравствуйте" not in caplog.text


async def test_a_refused_api_key_is_a_provider_error_and_the_key_is_not_logged(
        libre: LibreTranslate, caplog: pytest.LogCaptureFixture) -> None:
    libre.api_key = "the-right-key"
    translator = Translator(libre_settings(libre.url, translation_api_key=Secret("a-wrong-key-1234")))
    with caplog.at_level(logging.INFO, logger="hamkke.translation"):
        refused = await translator.translate("Здравствуйте", "ru", "ko")
    assert refused.error == PROVIDER_ERROR
    assert "a-wrong-key-1234" not in caplog.text
    await translator.close()
    translator = Translator(libre_settings(libre.url, translation_api_key=Secret("the-right-key")))
    accepted = await translator.translate("Здравствуйте", "ru", "ko")
    assert accepted.ok and accepted.text == "안녕하세요"
    assert libre.requests[-1]["params"]["api_key"] == "the-right-key"
    await translator.close()


async def test_an_unreachable_provider_is_a_provider_error() -> None:
    translator = Translator(libre_settings(f"http://127.0.0.1:{free_port()}"))
    result = await translator.translate("Здравствуйте", "ru", "ko")
    assert result.error == PROVIDER_ERROR and result.text is None
    await translator.close()


async def test_a_hanging_provider_times_out_on_time_without_blocking_the_loop(libre: LibreTranslate) -> None:
    libre.mode = "hang"
    deadline = 0.5
    translator = Translator(libre_settings(libre.url, translation_timeout_s=deadline))
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    ticker = asyncio.create_task(tick())
    started = time.monotonic()
    result = await translator.translate("Здравствуйте, у меня виза F-4", "ru", "ko")
    elapsed = time.monotonic() - started
    ticker.cancel()
    assert result == Translation(None, "ru", "ko", "libre", TIMEOUT)
    assert deadline - 0.05 <= elapsed < deadline + 1.0
    assert ticks >= 5  # the loop ran other work while the call hung
    assert len(libre.texts) == 1  # it did reach the engine
    started = time.monotonic()
    await translator.close()  # does not wait for the hung call
    assert time.monotonic() - started < 0.5


async def test_a_hung_call_does_not_hold_up_other_calls(libre: LibreTranslate) -> None:
    libre.mode, libre.hang_only = "hang", "медленно"
    translator = Translator(libre_settings(libre.url, translation_timeout_s=1.0))
    slow = asyncio.create_task(translator.translate("медленно", "ru", "ko"))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    fast = await translator.translate("Здравствуйте", "ru", "ko")
    assert fast.ok and fast.text == "안녕하세요"
    assert time.monotonic() - started < 0.5
    assert (await slow).error == TIMEOUT
    await translator.close()
    # A closed translator starts a new pool for the next call.
    again = await translator.translate("Спасибо", "ru", "ko")
    assert again.ok and again.text == "감사합니다"
    await translator.close()


# A process that translates once against a hanging engine, closes the
# translator and returns: it must then exit, not wait for the hung call.
_TRANSLATE_ONCE = textwrap.dedent("""
    import asyncio, dataclasses, sys
    from hamkke.config import Settings
    from hamkke.translation import Translator

    async def main() -> None:
        settings = dataclasses.replace(Settings(), translation_provider="libre", translation_url=sys.argv[1],
                                       translation_timeout_s=float(sys.argv[2]))
        translator = Translator(settings)
        result = await translator.translate("Здравствуйте", "ru", "ko")
        await translator.close()
        print(result.error, flush=True)

    asyncio.run(main())
""")


def test_a_process_exits_while_a_timed_out_call_still_hangs(libre: LibreTranslate) -> None:
    libre.mode, libre.hang_s = "hang", 30.0
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", _TRANSLATE_ONCE, libre.url, "1.0"], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("the process waited for the hung call")
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == TIMEOUT
    assert libre.texts == ["Здравствуйте"]  # the call did reach the engine, and hung there
    assert elapsed < 8.0  # the engine hangs for 30 s


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"translation_provider": "libre"},  # no address
        {"translation_provider": "papago", "translation_api_key": Secret("client-id")},  # no secret
        {"translation_provider": "deepl"},  # no key
        {"translation_provider": "bing", "translation_url": "http://127.0.0.1:9/"},  # not an engine we know
    ],
)
async def test_no_engine_configured(changes: dict[str, Any]) -> None:
    translator = Translator(dataclasses.replace(Settings(), **changes))
    assert not translator.configured
    started = time.monotonic()
    result = await translator.translate("Здравствуйте", "ru", "ko")
    assert time.monotonic() - started < 0.1
    assert result == Translation(None, "ru", "ko", changes.get("translation_provider", ""), NOT_CONFIGURED)
    await translator.close()


async def test_one_language_is_the_text_itself(translator: Translator, libre: LibreTranslate) -> None:
    result = await translator.translate("Здравствуйте", "ru", "RU")
    assert result == Translation("Здравствуйте", "ru", "ru", "libre", None) and result.ok
    not_configured = await Translator(Settings()).translate("안녕하세요", "ko-KR", "ko")
    assert not_configured.ok and not_configured.text == "안녕하세요"
    assert libre.texts == []
    with pytest.raises(ValueError, match="unsupported language"):
        await translator.translate("你好", "zh", "ko")


async def test_only_masked_text_reaches_the_provider(translator: Translator, libre: LibreTranslate,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    text = "Мой номер телефона 010-1234-5678, ARC 900101-5123456, почта kim.lee@example.com. Позвоните 1345."
    with caplog.at_level(logging.DEBUG):
        result = await translator.translate(text, "ru", "ko")
    assert result.ok and result.text is not None
    [request] = [r for r in libre.requests if r["path"] == "/translate"]
    sent = request["params"]["q"] + repr(request["raw"])
    for secret in ("010-1234-5678", "1234", "5678", "900101", "5123456", "kim.lee", "example.com"):
        assert secret not in sent
        assert secret not in result.text
    for masked in ("[PHONE]", "[ID-NUMBER]", "[EMAIL]", "1345"):
        assert masked in result.text
    assert "010-1234-5678" not in caplog.text and "Мой номер" not in caplog.text


async def test_a_staff_draft_keeps_its_office_number_and_address_but_the_engine_sees_masks(
        translator: Translator, libre: LibreTranslate) -> None:
    draft = "출입국·외국인사무소 062-975-6200 또는 gic@gic.or.kr 로 전화하세요. 1345도 됩니다."
    kept = await translator.translate(draft, "ko", "ru", mask_personal_data=False)
    masked = await translator.translate(draft, "ko", "ru")
    assert kept.ok and kept.text is not None and masked.ok and masked.text is not None
    for original in ("062-975-6200", "gic@gic.or.kr", "1345", "позвоните",
                     "Управление иммиграции и по делам иностранцев (출입국·외국인사무소)"):
        assert original in kept.text
    assert "[PHONE]" in masked.text and "[EMAIL]" in masked.text and "062-975-6200" not in masked.text
    for sent in libre.texts:
        assert "975" not in sent and "gic@" not in sent and "or.kr" not in sent


@pytest.mark.parametrize(
    "text",
    [
        "내 외국인등록번호 900101-5123456, 010-1234-5678",
        "내 외국인등록번호 ９００１０１－５１２３４５６, ０１０－１２３４－５６７８",
        "write to kim.lee+x@example.co.kr or call +82 10-9876-5432, card 1234 5678 9012 3456",
        "already masked: [PHONE], then 02 345 6789 and [EMAIL]",
        "nothing personal here",
    ],
)
def test_the_originals_kept_for_a_draft_are_exactly_what_mask_hid(text: str) -> None:
    masked, originals = _mask_keeping(text)
    assert masked == mask(text)
    rebuilt, position = [], 0
    for start in sorted(originals):
        marker_end = masked.index("]", start) + 1
        rebuilt += [masked[position:start], originals[start]]
        position = marker_end
    rebuilt.append(masked[position:])
    assert "".join(rebuilt) == normalise(text)
    assert len(originals) == (mask(text).count("[") - text.count("["))


async def test_placeholders_survive_an_engine_that_changes_their_case_and_spacing(
        translator: Translator, libre: LibreTranslate) -> None:
    libre.rewrite = lambda out: re.sub(r"(\d+)", r" \1 ", out.lower())
    result = await translator.translate("У меня виза F-4 и карта культуры", "ru", "ko")
    assert result.ok and result.text is not None
    assert "F-4" in result.text and "문화누리카드" in result.text


async def test_placeholders_the_engine_lost_are_appended(translator: Translator, libre: LibreTranslate) -> None:
    libre.rewrite = lambda out: re.sub(r"XT\d+X", "", out)
    result = await translator.translate("У меня виза F-4 и карта культуры", "ru", "ko")
    assert result.ok and result.text is not None
    assert result.text.endswith("[F-4; 문화누리카드]")


async def test_glossary_additions_are_picked_up_without_a_restart(
        tmp_path: Path, libre: LibreTranslate, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "glossary.yml"
    path.write_text('- {ko: "문화누리카드", en: "Culture Nuri card (문화누리카드)", ru: "карта (문화누리카드)",'
                    ' vi: "thẻ (문화누리카드)"}\n', encoding="utf-8")
    translator = Translator(libre_settings(libre.url), glossary=Glossary.load(path))
    before = await translator.translate("Я учусь в KIIP", "ru", "ko")
    assert before.text is not None and "KIIP" in before.text and "사회통합프로그램" not in before.text

    with path.open("a", encoding="utf-8") as fh:
        fh.write('- ko: "사회통합프로그램"\n'
                 '  en: "Korea Immigration and Integration Program, KIIP (사회통합프로그램)"\n'
                 '  ru: "программа социальной интеграции KIIP (사회통합프로그램)"\n'
                 '  vi: "Chương trình Hội nhập Xã hội KIIP (사회통합프로그램)"\n'
                 '  also: {en: ["KIIP"]}\n')
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))  # coarse clocks
    after = await translator.translate("Я учусь в KIIP", "ru", "ko")
    assert after.text is not None and "사회통합프로그램" in after.text and "KIIP" not in after.text
    back = await translator.translate("사회통합프로그램", "ko", "ru")
    assert back.text == "программа социальной интеграции KIIP (사회통합프로그램)"

    # A broken edit is logged; the last good version stays in use.
    path.write_text("- ko: [unclosed\n", encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 4_000_000_000))
    with caplog.at_level(logging.INFO, logger="hamkke.translation"):
        still = await translator.translate("Я учусь в KIIP", "ru", "ko")
    assert still.text is not None and "사회통합프로그램" in still.text
    assert "glossary.yml not (re)loaded" in caplog.text
    await translator.close()


# --- The glossary on its own -------------------------------------------------


@pytest.mark.parametrize(
    "term",
    ["문화누리카드", "외국인등록증", "출입국·외국인사무소", "출입국외국인사무소", "출입국", "주민센터", "행정복지센터",
     "차상위", "차상위계층", "기초생활수급자", "국민건강보험", "고용노동부", "다누리콜센터", "고려인마을"],
)
def test_the_bundled_glossary_has_the_official_terms(glossary: Glossary, term: str) -> None:
    protected, [saved] = glossary.protect(term, "ko")
    assert protected == saved.token and saved.entry is not None
    for lang in ("en", "ru", "vi"):
        rendering = saved.render(lang)
        assert rendering.endswith(")") and saved.entry.term in rendering  # the Korean, in brackets
    assert saved.render("ko") == saved.entry.term


def test_the_bundled_glossary_renders_culture_nuri_as_agreed(glossary: Glossary) -> None:
    [entry] = [e for e in glossary.entries if e.term == "문화누리카드"]
    assert entry.render("en") == "Culture Nuri card (문화누리카드)"
    assert entry.render("ru") == "карта «Мунхва Нури» (문화누리카드)"
    assert entry.render("vi") == "thẻ Văn hóa Nuri (문화누리카드)"


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("F-4", "F-4"), ("E-9", "E-9"), ("F-6", "F-6"), ("D-2", "D-2"), ("H-2", "H-2"), ("E-7", "E-7"),
        ("D-4", "D-4"), ("F-5", "F-5"), ("F-2-7", "F-2-7"), ("f4", "F-4"), ("E9", "E-9"), ("Е-9", "E-9"),
        ("Ф-4", "F-4"),
        ("1345", "1345"), ("1577-1366", "1577-1366"), ("112", "112"), ("119", "119"), ("1350", "1350"),
        ("02-123-4567", "02-123-4567"), ("010-1234-5678", "010-1234-5678"), ("062 975 6200", "062 975 6200"),
        ("₩150,000", "₩150,000"), ("150,000원", "150,000원"), ("15만원", "15만원"), ("1만 5천원", "1만 5천원"),
        ("150 000 вон", "150 000 вон"), ("150.000 won", "150.000 won"), ("150k won", "150k won"),
        ("[PHONE]", "[PHONE]"), ("[ID-NUMBER]", "[ID-NUMBER]"), ("[EMAIL]", "[EMAIL]"),
        ("[CARD-NUMBER]", "[CARD-NUMBER]"), ("hikorea.go.kr", "hikorea.go.kr"),
        ("https://www.mnuri.kr/main", "https://www.mnuri.kr/main"),
    ],
)
def test_codes_numbers_amounts_and_masks_are_kept_verbatim(glossary: Glossary, written: str, kept: str) -> None:
    protected, saved = glossary.protect(f"see {written} now", "en")
    assert protected == "see XT0X now" and len(saved) == 1
    assert glossary.restore(protected, "ko", saved) == f"see {kept} now"


@pytest.mark.parametrize("text", ["B2 level of English", "page 15 of 2024", "card 1234 5678 9012 3456",
                                  "the theatre", "карта города"])
def test_ordinary_words_and_numbers_are_left_to_the_engine(glossary: Glossary, text: str) -> None:
    assert glossary.protect(text, "ru") == (text, [])


def test_terms_keep_their_korean_particles_and_brackets(glossary: Glossary) -> None:
    protected, saved = glossary.protect("문화누리카드를 주민센터(행정복지센터)에서", "ko")
    assert protected == "XT0X를 XT1X에서"
    assert glossary.restore("XT0X, XT1X", "en", saved) == \
        "Culture Nuri card (문화누리카드), community centre (주민센터 / 행정복지센터)"
    protected, saved = glossary.protect("карта культуры (문화누리카드) и карточка", "ru")
    assert protected == "XT0X и карточка" and saved[0].render("ko") == "문화누리카드"


def test_clients_get_each_engines_language_codes() -> None:
    base = Settings()
    papago = _client(dataclasses.replace(base, translation_provider="papago", translation_api_key=Secret("id"),
                                         translation_api_secret=Secret("secret")), "ru", "ko")
    assert (papago.source, papago.target) == ("ru", "ko")
    deepl = _client(dataclasses.replace(base, translation_provider="deepl", translation_api_key=Secret("k:fx")),
                    "ko", "en")
    assert (deepl.source, deepl.target) == ("KO", "EN-US")
    google = _client(dataclasses.replace(base, translation_provider="google"), "vi", "ko")
    assert (google.source, google.target) == ("vi", "ko")
    libre = _client(dataclasses.replace(base, translation_provider="libre", translation_url="http://lt.local"),
                    "ru", "ko")
    assert (libre.source, libre.target) == ("ru", "ko")
