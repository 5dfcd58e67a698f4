"""Two things a resident waiting for a person may write: "cancel" and "how long?".

While a request for a person is queued, two messages need an answer of
their own rather than the NLU's: "cancel" cancels the request, and "how
long?" is answered with the place in the queue. Both come in ko, en, ru or
vi, typed however residents type (Vietnamese without diacritics, typos,
Korean without spaces).

Recognition is conservative, because a real question must reach staff (or
the assistant) untouched: "how long is the visa valid?", "비자 취소되면
어떻게 해요?" and "hủy hợp đồng lao động" are neither. A message counts only
when it is short and every word of it is either a cancel (or wait) phrase or
a filler word around one ("please", "my request", "пожалуйста", "nhé",
"상담원 연결 요청"): any other word, such as "visa", makes it an ordinary
message. Korean, written with or without spaces and with verb endings glued
on, is matched on its letters with the spaces removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Optional

from hamkke.folding import fold
from hamkke.lexicon import ENGLISH_WORDS, VIETNAMESE_SYLLABLES

MAX_CHARS = 80
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_BOT_COMMAND = re.compile(r"^/(\w+)@\w+")
# Latin words that residents add to Korean ("취소 ok").
_NEUTRAL = frozenset({"ok", "okay", "oke", "pls", "plz", "please"})
# Real words a letter away from a cancel or wait word: never typos of it.
_NOT_TYPOS = frozenset({"cancer", "canceled", "candle", "долги", "долгов", "отмене", "отмечу"})


@dataclass(frozen=True)
class _Lexicon:
    """The phrases of one intent in one language, and the words allowed around them."""

    phrases: tuple[tuple[str, ...], ...]
    fillers: frozenset[str]
    max_words: int


def _lexicon(phrases: str, fillers: str, max_words: int) -> _Lexicon:
    """A lexicon from one phrase a line and whitespace-separated fillers, folded."""
    parsed = {tuple(_words(line)) for line in phrases.strip().splitlines() if line.strip()}
    return _Lexicon(
        phrases=tuple(sorted(parsed, key=lambda p: (-len(p), p))),
        fillers=frozenset(_words(fillers)),
        max_words=max_words,
    )


def _words(text: str) -> list[str]:
    """The words of ``text``: folded (no diacritics, "ё" as "е"), lower case, apostrophes dropped."""
    text = unicodedata.normalize("NFC", text).strip()
    text = _BOT_COMMAND.sub(r"/\1", text)
    text = re.sub(r"['’`´]", "", fold(text).casefold())
    return _WORD.findall(text)


# --- Cancel -----------------------------------------------------------------------

_CANCEL = {
    "en": _lexicon(
        """
        cancel
        cancellation
        stop
        abort
        withdraw
        never mind
        nevermind
        nvm
        forget it
        forget about it
        no need
        not needed
        dont need
        do not need
        no longer need
        dont want
        do not want
        no thanks
        no thank you
        changed my mind
        change of plans
        its solved
        its sorted
        problem solved
        figured it out
        """,
        """
        i im id ive would like want wanna to please pls plz can could you u it that this the a an my
        request requests handoff staff person human operator agent somebody someone talk talking speak
        speaking chat call with now ok okay oh sorry actually just then thanks thank anymore any more
        already all for waiting wait help need needed me so well hey hi hello yes yeah yep
        """,
        max_words=10,
    ),
    "ru": _lexicon(
        """
        отмена
        отменить
        отмени
        отмените
        отменяю
        отменяем
        отменю
        отменяйте
        отбой
        стоп
        не надо
        не нужно
        не нужен
        не нужна
        не требуется
        передумал
        передумала
        передумали
        забудьте
        забудь
        неважно
        не важно
        проехали
        неактуально
        не актуально
        вопрос решен
        вопрос решился
        все решилось
        сам разобрался
        сама разобралась
        """,
        """
        я мне мой мою мои мое меня запрос запроса заявку заявка вызов звонок оператора оператор
        оператором сотрудника сотрудник сотрудником человека человек человеком живого разговор связь
        связи пожалуйста плиз хочу хотел хотела бы можно можете давайте давай уже больше спасибо это
        все тогда нет ладно ок окей извините простите сейчас на с со в по ждать ожидание ожидания
        ну так а и же пока
        """,
        max_words=8,
    ),
    "vi": _lexicon(
        """
        huy
        huy bo
        huybo
        thoi
        thoi khoi
        khoi
        khong can
        ko can
        k can
        kg can
        khg can
        hong can
        hok can
        khoi can
        bo qua
        dung lai
        doi y
        cancel
        """,
        """
        toi minh em t e muon xin vui long giup gium dum cho yeu cau nhan vien gap noi chuyen voi nua
        nhe nha a ah oi roi di vay v z thi cam on ok oke okie thanks cai nay do lien he ket tu van
        nguoi that ban la luon dau
        """,
        max_words=8,
    ),
}

_KO_CANCEL = re.compile(
    r"^(?:그냥|이제|아|앗|음|네|넵|저|저기요?|그럼|그러면|죄송한데|죄송하지만|괜찮아요|아니요|아니에요|아뇨|ㄴㄴ)*"
    r"(?:(?:상담원|상담사|상담|직원|사람|연결|요청|대기|문의|신청)(?:을|를|은|는|이|가|도)?)*"
    r"(?:좀)?"
    r"(?:취소(?:좀)?(?:요|해|해요|해줘|해줘요|해주세요|해주십시오|해주실래요|해주시겠어요|할게|할게요|할께요|할래|할래요"
    r"|합니다|하겠습니다|하고싶어요|하고싶습니다|하고싶은데요|할수있어요|할수있나요|해도돼요|해도되나요|해도될까요"
    r"|부탁해요|부탁드려요|부탁드립니다|ㄱ|ㄱㄱ)?"
    r"|그만(?:요|할게|할게요|할께요|할래|할래요|해요|하겠습니다|합니다)?"
    r"|됐어요|됐어|됐습니다|되었습니다|됐네요"
    r"|(?:이제)?필요(?:가)?없(?:어요|어|습니다|어졌어요|네요)"
    r"|안해도(?:돼요|돼|됩니다|될것같아요)"
    r"|안할(?:게요|게|께요|래요|래))"
    r"(?:감사합니다|고맙습니다|감사해요|고마워요)?$"
)


# --- How long -----------------------------------------------------------------------

_WAIT = {
    "en": _lexicon(
        """
        how long
        hw long
        hoe long
        how lnog
        how lomg
        howlong
        how much longer
        how much time
        how many people
        how many minutes
        how many before me
        when will
        when do
        when does
        when is
        still waiting
        im waiting
        any update
        any updates
        any news
        anyone there
        anybody there
        anyone here
        eta
        wait time
        waiting time
        where am i
        my position
        my place
        my turn
        taking so long
        taking long
        too long
        so long
        """,
        """
        i im me my we you they someone somebody anyone anybody a an the person staff human operator agent
        reply answer respond response get back to be it this that is are am do does did have has will would
        going gonna take takes wait waiting still more longer left about roughly approximately please pls plz
        hello hi hey so ok okay um uh now for need in line queue turn number there here before ahead of until
        till must should ill itll whats what again yet sorry excuse just asking wondering can could me
        people minutes minute time long
        """,
        max_words=12,
    ),
    "ru": _lexicon(
        """
        сколько ждать
        сколько еще
        сколько времени
        сколько минут
        сколько человек
        сколько людей
        скока ждать
        скоко ждать
        скока еще
        скоко еще
        долго
        долго еще
        как долго
        когда ответят
        когда ответит
        когда ответ
        когда мне
        когда меня
        когда будет ответ
        когда соединят
        когда подключится
        когда моя очередь
        скоро
        ну что
        ну как
        ну когда
        есть кто
        есть кто нибудь
        есть кто то
        алло
        ау
        жду
        ждем
        все еще жду
        очередь
        очереди
        передо мной
        какой я
        """,
        """
        мне меня нам я мы вы вам еще уже ну а и так там тут примерно придется нужно надо ждать ожидать
        ответа ответ оператора оператор сотрудника сотрудник человека пожалуйста подскажите скажите
        извините простите здравствуйте времени минут в у на по мой моя мое будет ли же то что какая какой
        какое место номер здесь привет с вами со мной это ответят ответит ответите соединят подключат
        свяжутся ожидания долго ли
        """,
        max_words=10,
    ),
    "vi": _lexicon(
        """
        bao lau
        bao lau nua
        bao gio
        khi nao
        may phut
        bao nhieu phut
        bao nhieu nguoi
        con bao nhieu
        lau qua
        lau vay
        lau the
        lau z
        lau v
        sao lau
        den luot
        toi luot
        co ai khong
        co ai ko
        co ai k
        dang cho
        cho lau
        so may
        """,
        """
        toi minh em t e phai cho doi nua con vay v z a ah oi nhi ha khoang mat nhan vien tra loi nguoi co
        khong ko k chua se duoc dc thi ban luot cua hang la o day ad nhe nha roi van
        """,
        max_words=10,
    ),
}

_KO_END = "[요까나가니죠지야돼되세주실래게께에어아여다습는데은고있라걸려올릴할해줄건든와오줘예이ㅠㅜㅋ]{0,8}"
_KO_WAIT = re.compile(
    r"^(?:저|제|그럼|근데|혹시|아|음|네|저기요?|죄송한데|죄송하지만|지금|아직도?|계속)*"
    r"(?:(?:상담원|상담사|상담|직원|사람|답변|답장|대답|연결|순서|차례|대기|제차례|제순서|내차례|내순서)"
    r"(?:은|는|이|가|도|을|를)?)*"
    r"(?:얼마나(?:더)?(?:기다려|기다리|걸려|걸리|남았|있어야)" + _KO_END +
    r"|언제(?:쯤|까지)?(?:더)?"
    r"(?:답변|답장|대답|답|연결|연락|와|오|돼|되|기다려|기다리|차례|순서|받|돌아|해)" + _KO_END +
    r"|아직(?:이에요|인가요|이야|이요|예요|멀었" + _KO_END + r"|안" + _KO_END + r")?"
    r"|몇(?:번째|번|명|분)" + _KO_END +
    r"|오래걸려" + _KO_END + r"|오래걸리" + _KO_END +
    r"|기다리(?:고있|는중)" + _KO_END +
    r"|아무도없" + _KO_END + r"|누구없" + _KO_END + r")$"
)


# --- Matching -----------------------------------------------------------------------


@cache
def _known(word: str) -> bool:
    """A word that is itself, not a typo of another (it is in a word list or a lexicon)."""
    if word in ENGLISH_WORDS or word in VIETNAMESE_SYLLABLES or word in _NOT_TYPOS:
        return True
    return any(word in lex.fillers or any(word in p for p in lex.phrases)
               for table in (_CANCEL, _WAIT) for lex in table.values())


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one letter added, removed, replaced or two swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                   and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _same(token: str, word: str) -> bool:
    """``token`` is ``word``, or a typo of it (one slip in a word of six letters or more)."""
    if token == word:
        return True
    return len(word) >= 6 and len(token) >= 5 and not _known(token) and _one_edit(token, word)


def _covered(words: list[str], lex: _Lexicon) -> bool:
    """Whether the words are phrases and fillers only, with at least one phrase."""
    if not words or len(words) > lex.max_words:
        return False
    # reach[i] holds whether words[:i] can be read, and whether a phrase was among them.
    reach: list[set[bool]] = [set() for _ in range(len(words) + 1)]
    reach[0].add(False)
    for i in range(len(words)):
        if not reach[i]:
            continue
        for phrase in lex.phrases:
            end = i + len(phrase)
            if end <= len(words) and all(_same(w, p) for w, p in zip(words[i:end], phrase, strict=True)):
                reach[end].add(True)
        if words[i] in lex.fillers:
            reach[i + 1].update(reach[i])
    return True in reach[len(words)]


def _korean(text: str) -> Optional[str]:
    """The Hangul of ``text`` without spaces, when it is a Korean message; else ``None``."""
    if not _HANGUL.search(text):
        return None
    others = [w for w in _words(text) if not _HANGUL.search(w)]
    if any(w not in _NEUTRAL for w in others):
        return None
    return "".join(ch for ch in unicodedata.normalize("NFC", text) if _HANGUL.match(ch))


def _matches(text: str, table: dict[str, _Lexicon], korean: re.Pattern[str]) -> bool:
    if not text or len(text.strip()) > MAX_CHARS:
        return False
    compact = _korean(text)
    if compact is not None:
        return bool(korean.match(compact))
    words = _words(text)
    return any(_covered(words, lex) for lex in table.values())


def is_cancel(text: str) -> bool:
    """Whether a waiting resident's message cancels their request for a person.

    "cancel", "/cancel", "never mind", "отмена", "не надо", "hủy", "huy nhe",
    "khong can nua", "취소", "취소할게요", "상담 취소해 주세요"; but not "cancel my
    visa" or "비자 취소되면 어떻게 해요?".
    """
    return _matches(text, _CANCEL, _KO_CANCEL)


_CANCEL_WORD = re.compile(r"^cancel\b|\bplease cancel\b|\bcancel (it|my request|the request)\b|"
                              r"\bотмена\b|\bотмените\b|\bотменить (запрос|заявку)\b|^huy[.!]*$|"
                              r"\bhuy (yeu cau|di|nhe)\b|취소해|취소할게|취소요|취소 해")


def is_explicit_cancel(text: str) -> bool:
    """A short message that says the cancel word itself ("취소해주세요", "отмена", "hủy", "cancel it").

    Stricter than :func:`is_cancel`: it also ends a conversation staff already
    hold, where "됐어요" may mean "that worked"; a question that merely mentions
    cancelling ("비자 취소되면 어떻게 해요?", "hủy hợp đồng lao động") is not one.
    """
    return len(text.split()) <= 6 and bool(_CANCEL_WORD.search(fold(text.casefold())))


def is_wait_question(text: str) -> bool:
    """Whether a waiting resident asks how long it will take until a person answers.

    "how long?", "сколько ждать", "долго ещё?", "bao lâu", "bao lau nua",
    "얼마나 기다려요", "언제 답해요"; but not "how long is the visa valid?".
    """
    return _matches(text, _WAIT, _KO_WAIT)


_PERSON = re.compile(
    r"\b(talk|speak|chat) (to|with) (a |the |your )?(human|person|real person|someone|somebody|staff|operator|agent|"
    r"consultant|counsell?or)\b|\breal (person|human)\b|\bhuman please\b|\blive (person|agent|chat)\b|"
    r"живым? человек|\bс человеком\b|\bоператор|\bс сотрудником\b|\bсотрудника\b|\bпозов\w* (человек|сотрудник)|"
    r"\bконсультант|"
    r"\bnguoi that\b|\bgap (nhan vien|nguoi)\b|\bnoi chuyen (voi|vs) (nguoi|nhan vien|tu van vien)\b|"
    r"\bnhan vien tu van\b|\bket noi (nhan vien|tu van)\b",
)
_KO_PERSON = re.compile(r"상담원|상담사|사람(이랑|하고|과|한테)|직원(이랑|하고|과|한테|연결)|사람연결")


def asks_for_person(text: str) -> bool:
    """Whether a message asks for a person ("можно с живым человеком поговорить?", "상담원 연결해 주세요").

    A net under the classifier: a resident who asks for a person gets one, whatever it guessed.
    """
    lowered = unicodedata.normalize("NFC", text).casefold()
    if len(lowered.split()) > 14:
        return False
    folded = " ".join(fold(lowered).replace("ё", "е").split())
    korean = re.sub(r"\s+", "", lowered)
    if _KO_A_PLACE.search(korean):
        return False  # "러시아어 하는 사람한테 직접 상담받을수 있는데 있어요?": where such a person is, a place to go
    return bool(_PERSON.search(folded) or _KO_PERSON.search(korean))


# "…할 수 있는 데/곳 있어요?": asks where something can be done.
_KO_A_PLACE = re.compile(r"(있는|하는|받는|되는|주는)(데|곳)(가|이|는)?(있|어디|알려|없)")
