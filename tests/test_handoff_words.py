"""A waiting resident's "cancel" and "how long?", in four languages, typed carelessly; real questions untouched."""

from __future__ import annotations

import pytest

from hamkke.handoff_words import asks_for_person, is_cancel, is_wait_question

CANCEL = {
    "en": [
        "cancel", "Cancel", "/cancel", "/cancel@HamkkeBot", "cancel please", "Please cancel my request",
        "I want to cancel", "cancle", "cancell it", "never mind", "Nevermind!", "nvm", "forget it",
        "no need anymore, thanks", "stop", "I don't need a person anymore", "ok I changed my mind",
    ],
    "ru": [
        "отмена", "Отмена!", "/отмена", "отменить", "Отмените запрос, пожалуйста", "отмени", "атмена",
        "отменитб", "не надо", "Нет, не надо, спасибо", "мне уже не нужно", "оператор не нужен", "отбой",
        "передумал", "неважно", "всё, вопрос решён",
    ],
    "vi": [
        "hủy", "huy", "Huỷ", "Hủy nhé", "hủy yêu cầu", "tôi muốn hủy", "huy yeu cau giup em", "hủy bỏ",
        "thôi không cần nữa", "khong can nua", "ko cần đâu", "k can nua a", "bỏ qua đi", "thôi", "cancel",
    ],
    "ko": [
        "취소", "취소요", "취소!", "취소할게요", "취소 할게요", "취소해 주세요", "취소해주세요", "상담 취소",
        "상담원 연결 취소해 주세요", "상담원연결취소", "요청 취소할게요", "그만할게요", "이제 됐어요",
        "필요 없어요", "상담 필요 없어요", "안 해도 돼요", "괜찮아요 취소해 주세요", "ok 취소", "취소 ㄱㄱ",
        "취소 부탁드립니다",
    ],
}

NOT_CANCEL = {
    "en": [
        "cancel my visa", "How do I cancel my phone contract?", "can I cancel my health insurance?",
        "the bus stop near GIC", "I want to talk to staff", "no", "cancer", "I don't need a visa?",
        "never mind the visa, what about insurance?", "my boss told me to stop working", "cancel culture",
        "forget it, how do I renew my ARC?", "how long?", "",
    ],
    "ru": [
        "отмена визы", "не надо платить штраф?", "мне не нужна виза?", "стоп-лист", "как отменить регистрацию",
        "забудьте мои данные", "передумал увольняться", "отменили рейс, что делать?", "не нужно ли продлевать визу",
        "мне не надо в больницу?", "отмена депортации", "сколько ждать?",
    ],
    "vi": [
        "hủy hợp đồng lao động", "huy the ngan hang", "hủy visa được không", "làm sao để hủy đăng ký",
        "không cần visa à?", "thôi việc thì sao", "anh Huy ơi", "bỏ qua bước này được không",
        "khong can giay to gi a", "dừng lại ở đâu", "hủy hẹn ở xuất nhập cảnh", "bao lâu nữa",
    ],
    "ko": [
        "비자 취소되면 어떻게 해요?", "취소 수수료 있어요?", "계약 취소하고 싶어요", "예약 취소 방법 알려주세요",
        "외국인등록 취소됐어요", "회사 그만두고 싶어요", "서류 필요 없어요?", "취소된 비자 다시 받을 수 있어요?",
        "일 그만해도 돼요?", "비자 필요 없어요?", "상담원 연결해 주세요", "얼마나 기다려요?",
    ],
}

WAIT = {
    "en": [
        "how long?", "How long will it take?", "how long do I have to wait", "hw long", "how lnog",
        "how much longer?", "when will someone answer me?", "when is my turn", "still waiting...",
        "any update?", "is anyone there?", "how many people before me?", "where am I in the queue?", "eta?",
    ],
    "ru": [
        "сколько ждать", "Сколько ждать?", "сколько ещё ждать?", "Долго ещё?", "долго еще ждать ответа?",
        "скока ждать", "сколко ждать", "когда ответят?", "когда мне ответит оператор?", "есть кто-нибудь?",
        "какая у меня очередь", "ну что там?", "скоро?", "я всё ещё жду",
    ],
    "vi": [
        "bao lâu", "bao lau", "bao lau nua", "bao lâu nữa vậy", "phải chờ bao lâu", "còn bao lâu nữa ạ",
        "khi nào đến lượt tôi", "bao giờ có người trả lời", "có ai không", "lâu quá", "sao lâu vậy",
        "còn bao nhiêu người", "mấy phút nữa",
    ],
    "ko": [
        "얼마나 기다려요", "얼마나 기다려요?", "얼마나기다려야해요", "얼마나 더 기다려야 돼요?", "언제 답해요",
        "언제 답장 와요?", "상담원 언제 와요?", "아직이에요?", "아직 멀었어요?", "몇 번째예요?", "대기 몇 명이에요?",
        "오래 걸려요?", "계속 기다리고 있어요", "아무도 없나요?", "언제쯤 연결돼요?",
    ],
}

NOT_WAIT = {
    "en": [
        "how long is the visa valid?", "how long does a visa extension take", "how long can I stay in Korea?",
        "when will I get my ARC", "how many people live in Gwangju", "when is the festival?",
        "how much time do I have to apply for a visa?", "how long is the wait at the immigration office?",
        "?", "any news about the culture nuri card?", "where am I supposed to go for my visa?", "cancel",
    ],
    "ru": [
        "сколько ждать визу", "долго ли делают визу", "как долго действует виза?", "сколько стоит перевод?",
        "сколько человек в группе?", "когда будет ответ из миграционной службы?", "алло, это полиция?",
        "есть кто говорит по-русски?", "очередь в больницу", "ну что делать?", "скоро ли дадут зарплату", "отмена",
    ],
    "vi": [
        "gia hạn visa mất bao lâu", "bao lâu thì có thẻ cư trú", "bao giờ mở cửa", "khi nào hết hạn visa",
        "bao giờ có kết quả", "có ai nói tiếng Việt không", "bao nhiêu tiền", "bao lâu được nhận lương",
        "làm thẻ ngân hàng bao lâu", "khi nào có lễ hội", "hủy",
    ],
    "ko": [
        "비자 연장 얼마나 걸려요?", "외국인등록증 언제 나와요?", "얼마나 기다려야 여권 나와요?",
        "체류 기간 얼마나 돼요?", "병원 대기 시간 얼마나 돼요?", "택배 언제 와요?", "월급 언제 줘요?",
        "아직 월급을 못 받았어요", "얼마예요?",
        "몇 살부터 받을 수 있어요?", "취소",
    ],
}


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(lang, text) for lang, texts in table.items() for text in texts]


@pytest.mark.parametrize(("lang", "text"), _cases(CANCEL))
def test_cancel(lang: str, text: str) -> None:
    assert is_cancel(text), text
    assert not is_wait_question(text), text


@pytest.mark.parametrize(("lang", "text"), _cases(NOT_CANCEL))
def test_not_cancel(lang: str, text: str) -> None:
    assert not is_cancel(text), text


@pytest.mark.parametrize(("lang", "text"), _cases(WAIT))
def test_wait_question(lang: str, text: str) -> None:
    assert is_wait_question(text), text
    assert not is_cancel(text), text


@pytest.mark.parametrize(("lang", "text"), _cases(NOT_WAIT))
def test_not_wait_question(lang: str, text: str) -> None:
    assert not is_wait_question(text), text


@pytest.mark.parametrize("table", [CANCEL, NOT_CANCEL, WAIT, NOT_WAIT])
def test_ten_examples_a_language(table: dict[str, list[str]]) -> None:
    assert all(len(table[lang]) >= 10 for lang in ("en", "ru", "vi", "ko"))


def test_a_long_message_is_never_a_cancel() -> None:
    text = "cancel " + "please " * 20
    assert not is_cancel(text)
    assert not is_wait_question("how long " * 20)


@pytest.mark.parametrize("text", ["러시아어 하는 사람한테 직접 상담받을수 있는데 있어요? 할머니가 한국말 몰라요",
                                  "베트남어로 상담해 주는 곳 있어요?"])
def test_where_such_a_person_is_asks_for_a_place_not_a_person_now(text: str) -> None:
    assert not asks_for_person(text)
