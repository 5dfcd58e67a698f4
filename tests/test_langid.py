"""Language of a message, and requests to change it."""

import pytest

from hamkke.langid import UNSUPPORTED, Detection, choose_language, detect, language_switch_request


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("hello", "en"),
        ("hi there", "en"),
        ("where can i extend my visa", "en"),
        ("i need talk with person", "en"),
        ("Привет", "ru"),
        ("где продлить F-4 в 출입국", "ru"),
        ("외국인등록증 потерял", "ru"),
        ("안녕하세요", "ko"),
        ("출입국상담센터번호알려줘", "ko"),
        ("xin chào", "vi"),
        ("xin chao", "vi"),
        ("gia han visa o dau", "vi"),
        ("so dien thoai 1345", "vi"),
        ("Số điện thoại trung tâm xuất nhập cảnh là gì?", "vi"),
        ("你好", UNSUPPORTED),
        ("こんにちは", UNSUPPORTED),
        ("สวัสดีครับ", UNSUPPORTED),
        ("Salom, qayerda vizani uzaytirsa boladi", UNSUPPORTED),
        ("Сәлеметсіз бе, қалайсыз", UNSUPPORTED),
    ],
)
def test_detect(text: str, lang: str) -> None:
    assert detect(text).language == lang


@pytest.mark.parametrize("text", ["ok", "F-4", "1345", "???", "", "nam-gu", "Buk-gu"])
def test_ambiguous_text_says_nothing(text: str) -> None:
    assert detect(text).language is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("English please", "en"),
        ("in english please", "en"),
        ("can you speak english?", "en"),
        ("по-русски", "ru"),
        ("ответь на русском", "ru"),
        ("tiếng Việt", "vi"),
        ("tieng viet", "vi"),
        ("nói tiếng việt đi", "vi"),
        ("한국어로", "ko"),
        ("한국어로 해주세요", "ko"),
        ("Korean please", "ko"),
    ],
)
def test_switch_requests(text: str, lang: str) -> None:
    assert language_switch_request(text) == lang


@pytest.mark.parametrize(
    "text", ["where can I learn Korean", "Korean classes", "tieng han o dau", "hello", "русский магазин где"]
)
def test_questions_about_a_language_are_not_switch_requests(text: str) -> None:
    assert language_switch_request(text) is None


def test_a_chosen_language_sticks_and_a_detected_one_follows() -> None:
    russian = Detection("ru", True, "script")
    assert choose_language(russian, "en", "chosen", "en") == "en"
    assert choose_language(russian, "en", "detected", "en") == "ru"
    assert choose_language(Detection(None, False, "ambiguous"), "vi", "detected", "en") == "vi"
    assert choose_language(Detection(None, False, "ambiguous"), None, None, "ko") == "ko"


def test_accuracy_on_the_labelled_short_messages() -> None:
    """Floors a little under what the detector reaches (see `make langid`)."""
    from bench.langid import evaluate

    scores = evaluate()["hamkke"]
    floors = {"en": 0.99, "ru": 0.99, "vi": 0.99, "ko": 0.99, "vi-no-diacritics": 0.95, "other": 0.70}
    for group, floor in floors.items():
        correct, total = scores[group]
        assert total >= 60 and correct / total >= floor, (group, correct, total)


@pytest.mark.parametrize(("text", "lang"), [
    ("한국어로 다시요", "ko"), ("можете дальше писать по корейски? дочке покажу", "ko"),
    ("tra loi bang tieng han giup em", "ko"), ("can you answer in russian please", "ru"),
    ("where can I learn Korean", None), ("한국어 수업 어디서 해요", None), ("как сказать по-корейски спасибо", None),
    ("e ko noi dc tieng han", None), ("goi 119 noi tieng viet dc ko", None), ("so nao hoi bang tieng viet ko", None),
    ("мама не говорит по-корейски", None), ("please write in english", "en"), ("пишите по-русски пожалуйста", "ru"),
    ("мне 71 год, напиши это по-корейски, внучка прочитает", "ko"),
    ("можешь по корейски это написать жене покажу", "ko"),
    ("can you write russian pls? where exactly is village and phone", "ru"), ("can you say in english pls", "en"),
    ("i write korean a little", None), ("how do you say hello in korean", None), ("i can say korean words", None),
    ("can you write that fridge part in korean? I want to show my landlord", "ko"),
    ("please put the address in korean for the taxi driver", "ko"), ("I can write my name in korean", None),
    ("can you tell me about classes in korean", None),
    ("noi tieng han giup e, e muon dua cho co giao cua con doc", "ko"), ("noi bang tieng han di de e dua ong chu xem",
                                                                          "ko"),
    ("viet tieng nga giup e", "ru"), ("e noi tieng han ko gioi", None), ("co ai noi tieng han giup e ko", None),
    ("chong e noi tieng han di lam", None), ("o gwangju co trung tam nao co nguoi noi tieng viet giup minh ko", None),
])
def test_an_explicit_request_to_switch_in_a_longer_message(text: str, lang: str | None) -> None:
    from hamkke.langid import explicit_switch_request

    assert explicit_switch_request(text) == lang


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("здравствуйте, можно дальше по корейски? дочке покажу. 한국어로 해주세요", "ko", True),
    ("안녕하세요 우리 엄마가 러시아어만해요. 러시아어로 대답해주세요", "ru", False),
    ("ad tra loi bang tieng Han giup e", "ko", False), ("trả lời bằng tiếng Việt", "vi", True),
    ("ответьте, please, in english", "en", True), ("ответьте по-английски", "en", False),
])
def test_a_request_written_partly_in_the_language_it_asks_for(text: str, lang: str, expected: bool) -> None:
    from hamkke.langid import writes_in

    assert writes_in(text, lang) is expected


@pytest.mark.parametrize(("text", "rest"), [
    ("пишу за отца, ему 63, он 차상위. хочет 문화누리카드. напишите по-корейски для него пожалуйста",
     "пишу за отца, ему 63, он 차상위. хочет 문화누리카드."),
    ("안녕하세요 아내가 베트남 사람인데 한국어 배울 수 있는 곳 있어요? 아내가 읽게 베트남어로 답해 주세요",
     "안녕하세요 아내가 베트남 사람인데 한국어 배울 수 있는 곳 있어요?"),
    ("пишите по-русски пожалуйста", ""),
])
def test_what_a_message_asks_besides_its_switch_request(text: str, rest: str) -> None:
    from hamkke.langid import without_switch_request

    assert without_switch_request(text) == rest


@pytest.mark.parametrize(("text", "lang", "confident"), [
    ("chua co 외국인등록증", "vi", False),          # Vietnamese without marks around a Korean document's name
    ("dia chi 가족센터 동구", "vi", False),
    ("а 세계인의 날", "ru", False),                  # one Russian letter beside Korean words
    ("어학당이에요 D-4", "ko", True),               # a visa code is no language
    ("KTX 타고 가요", "ko", True),
    ("ok 감사합니다", "ko", True),
])
def test_korean_words_inside_another_languages_sentence(text: str, lang: str, confident: bool) -> None:
    found = detect(text)
    assert (found.language, found.confident) == (lang, confident)
    # Not confident: a resident known to write Korean stays in Korean.
    assert choose_language(found, "ko", "detected", "en") == ("ko" if not confident else lang)
