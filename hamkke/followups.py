"""Follow-up questions that refer to the last answer: "where is it?", "phone?", "open on Saturday?".

After an answer about a topic or a place, residents ask short questions that
only make sense with it ("а где это?", "so dien thoai?", "토요일에도 해요?").
The intent classifier sees no topic in them and guesses one; the gateway
instead answers them from the last topic's place (``data/topic_places.yml``,
the service's record). :func:`detect_followup` says which fact a message asks
for, only for short messages that name no topic of their own.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Optional

import yaml

from hamkke import clock
from hamkke.config import PROJECT_ROOT
from hamkke.folding import fold

TOPIC_PLACES_PATH = PROJECT_ROOT / "data" / "topic_places.yml"
TOPIC_FACTS_PATH = PROJECT_ROOT / "data" / "topic_facts.yml"
# When a topic lacks the fact asked, the next closest it may have ("when?" -> its hours).
FACT_FALLBACK = {"when": ("when", "hours"), "hours": ("hours", "when"),
                 # "free?" after a work problem: the free advice, when the topic has no fee of its own
                 "fee": ("fee", "advice"),
                 # Whether to book first is said with a place's hours or where to go.
                 "booking": ("booking", "hours", "address"),
                 "balance": ("balance", "penalty"),
                 "deadline": ("deadline", "when")}
MAX_WORDS = 9
FRESH_MINUTES = 10

# fact -> patterns on folded, lower-cased text (Vietnamese without diacritics);
# Korean patterns on the text with its spaces removed.
_FACTS: dict[str, tuple[str, str]] = {
    "address": (
        r"\bwhere\b|\baddress\b|\baddr\b|\badd?ress?\b|\blocation\b|\bhow (do i|to) get there\b|\bwhich building\b|"
        r"\bгде\b|\bадрес|\bкак (туда )?(добраться|доехать|пройти)\b|\bкуда (идти|ехать)\b|"
        r"\bo dau\b|\bdi dau\b|\bden dau\b|\bdia chi\b|\bcho nao\b|\bo cho nao\b|\bduong nao\b|\bodau\b|\bo đau\b|"
        r"\bhow (do |can |should )?(i |we )?apply\b|\bhow to apply\b|\bкак (подать|оформить|записаться|получить)\b|"
        r"\bкуда (подавать|обращаться|идти)\b|\bdang ky (o dau|the nao|nhu the nao)\b|"
        r"\blam (the nao|sao) de (dang ky|nhan)\b|"
        # "which office do we ask?", "к кому обращаться?": where to go with it
        r"\bwhich (office|place|department|desk|center|centre|agency)\b|"
        r"\bwho (do|should|can) (i|we) (ask|contact|go to)\b|\bк кому (обращаться|обратиться|идти)\b|"
        r"\bв как(ой|ое|ую) (офис|отдел|центр|учреждени|организаци)|\bhoi (ai|o dau|cho nao)\b|"
        r"\b(co quan|van phong) nao\b",
        r"어디|주소|위치|어떻게가|찾아가|신청(은|을)?어떻게|어떻게신청|누구(한테|에게)(물어|문의|연락)|"
        r"어느(기관|사무소|부서)",
    ),
    "hours": (
        r"\bopen\b|(?<!many )\bhours\b|\bwhat time\b|^time\??$|\bclosed?\b|\buntil when\b|"
        r"\bwhich days?\b|\bработа(ет|ют)\b|\bчасы\b|\bво сколько\b|\bдо скольки\b|"
        r"\bоткрыт|\bв какие дни\b|\bпринима(ет|ют)\b|"
        r"\bmay gio\b|\bgio mo\b|\bgio lam\b|\blam viec\b|\bbao nhieu (tieng|gio)\b|\bmay tieng\b|"
        r"\bmo cua\b|\bcon mo\b|\bmo (k|ko|khong|hong|hok)\b|\bmay h\b|\bban dem\b|\bbuoi toi\b|"
        r"\bat night\b|\bin the evening\b|\bночью\b|\bвечером\b|"
        # "can we go after work? i finish at 6", "после работы можно?", "tan ca roi di dc ko", "퇴근하고 가도 돼요?"
        r"\bafter work\b|\bfinish (work )?at \d|\bпосле работы\b|\btan (ca|lam)\b|\bsau (gio|khi) (lam|di lam)\b|"
        # "what about during winter vacation?", "а на каникулах?": the same rule in another period
        r"\bvacations?\b|\bholidays?\b|\bsemester break\b|\bканикул|\bky nghi\b|\bnghi (he|dong|tet)\b",
        r"몇시(?!간)|영업|운영시간|문열|근무시간|여는|무슨요일|몇요일|밤에|저녁에|퇴근하고|퇴근후|방학|연휴|열어|열려|여나|열었|열까|쉬는날|휴관",
    ),
    "phone": (
        r"\bphone\b|\bnumber\b|\bcall them\b|\btel\b|\bcontact\b|"
        r"\bтелефон|\bномер\b|\bпозвонить\b|\bконтакт|"
        r"\bso dien thoai\b|\bsdt\b|\bso dt\b|\bdien thoai\b|\bso lien lac\b|\bgoi so\b|"
        # "how to reach them?": "lien lac ntn", "как связаться", "연락 어떻게 해요"
        r"\b(lien lac|lien he) (ntn|the nao|nhu the nao|sao|bang cach nao|o dau)\b|\bкак (с ними )?связаться\b",
        r"전화|번호|연락처|전번|연락(은|을|하려면)?어떻게|어떻게연락",
    ),
    # "bao lau thi ho phai tra", "how long do they have to pay": by when someone must do what they owe (not when
    # an office is open: without a deadline of its own, a topic says it does not know, never its opening hours)
    "deadline": (
        r"\bbao lau (thi )?(ho|cty|cong ty|chu|sep) ?(phai|moi)\b|"
        r"\bhow long (do|does|will) (they|the company|my (boss|employer|company)) (have|get|take)\b|"
        r"\bв течение скольких дней\b|\bза сколько дней (должны|обязаны)\b",
        r"며칠(안|내|이내)에(줘|주|지급)|언제까지(줘|주|지급)",
    ),
    "when": (
        r"\bwhen\b(?! (i|we|you|she|he|they) (go|come|visit|get there|arrive))|"
        r"\bdeadline\b|\bкогда\b|\bдо какого\b|\bсрок|\bkhi nao\b|\bbao gio\b|\bhan chot\b|"
        r"\bthang may\b|\bluc nao\b|\bthu may\b|\bngay (may|nao)\b|\bwhat (date|day of the week)\b|\bwhich day\b|"
        r"\bкакого числа\b|\bкакое число\b|\bкакой день( недели)?\b|"
        # "and in January?", "а в январе?", "con thang 1 thi sao": when it runs or opens then
        r"\b(in|and|by|until) (january|february|march|april|june|july|august|september|october|november|december)\b|"
        r"\b(в|к|до) (январ|феврал|март|апрел|ма[ея]\b|июн|июл|август|сентябр|октябр|ноябр|декабр)|"
        r"\bthang (1[0-2]?|[2-9]|gieng)\b|"
        # "before I start or after?": when a step must be done
        r"\bbefore\b.{0,30}\bor after\b|\bafter or before\b|\bдо или после\b|\btruoc hay sau\b|"
        # "co can xin phep truoc ko": whether a permission must come first
        r"\b(permission|permit|approval) (first|beforehand|in advance)\b|\bпредварительн\w* разрешени|"
        r"\b(permission|permit|approval)\b.{0,20}\bbefore (i|we|you) (start|begin|work)|"
        r"\bразрешени\w* (заранее|сначала)|\b(xin phep|bao|dang ky|khai bao) truoc\b",
        r"언제|기한|마감|며칠까지|얼마나(시간|기간|걸|오래|남)|시간(이)?얼마나|며칠(에|이|날)|몇일|(?<!\d)(1[0-2]?|[2-9])월(엔|에는|에|은|달)|먼저.*나중|나중에.*(해도|신고)|미리(허가|신고|신청)|허가(를)?먼저|먼저허가",
    ),
    "booking": (
        r"\b(need|make|book) (an |a )?(appointment|reservation|booking)\b|\bappointment\??$|\bwalk in\b|"
        r"\bнужна запись\b|\bзаписываться\b|\bзапис(ь|аться) нужн|\bбез записи\b|\bзапись обязательн|"
        r"\bкак (мне |нам )?записаться\b|\bзаписаться (как|где)\b|"
        r"\bобязательно (записываться|записаться|по записи)|\bпо записи\b|\b(appointment|booking) (required|needed|"
        r"necessary|mandatory)\b|\bco can (dat lich|hen)\b|"
        r"\bdat lich\b|\bhen truoc\b|\bdat hen\b|\bphai hen\b|\b(di|den|toi) thang (toi |den )?(duoc|dc)\b|"
        r"\bneed to book\b|\b(have|need) to (make an appointment|reserve)\b|\bbook (for that|first|ahead|in advance)\b",
        r"예약|그냥가면|그냥가도",
    ),
    # "how do I check the balance?": what is left on a card, not "can I get it?" (answered with the
    # topic's penalty fact, which says how to check it and when it lapses).
    "balance": (
        r"\bbalance\b|\bhow much (is |do i have )?left\b|\bremaining (money|amount)\b|\bmoney left\b|"
        r"\b\d[\d,.]*\s*(won|k|krw)?\s+(is |are )?(still )?left\b|\bleft on (it|the card|her card|his card|my card)\b|"
        r"\b(use|spend)( it)? (until|by) when\b|\buntil when (can|do|should|must) (i|we|she|he|they) (use|spend)\b|"
        r"\bостат|\bбаланс|\bсколько (денег )?осталось\b|\bосталось\b|\bсгор(ят|ит|ает|ают)\b|"
        r"\bдо (какого|когда) (нужно |надо )?(тратить|потратить|использовать)\b|"
        r"\bso du\b|\bcon (lai )?bao nhieu\b|\b(dung|xai|tieu) (den|toi) (khi nao|bao gio)\b|"
        r"\bnever used\b|\b(didn'?t|did not|haven'?t) (use|spend)\b|\bне (использовал|потратил|тратил)|"
        r"\bchua (dung|xai|su dung)\b|\bkhong (dung|xai) (het|gi)\b|"
        # "i spent like 105000 already", "сама пополнится?", "nap lai tu dong ko": the recharge rule
        r"\brecharg|\btop(ped)? ?up\b|\breload|\b(spent|used) (like |about |only )?\d|"
        r"\bпополн|\bпотратил\w*\b|\bизрасходовал|\bnap (lai|tien|them)\b|\b(da )?(dung|xai|tieu) (het )?\d",
        r"잔액|남은금액|남은돈|얼마남|언제까지(써|쓸|사용)|충전|\d+(만)?원?(은|을|이)?(넘게|이상|정도|밖에)?썼|"
        # "신청은 했었는데 한번도 안썼어요": what becomes of what was never used
        r"(한번도|하나도|전혀)?(안|못)썼|사용(을)?안했|안쓰면|못쓰면",
    ),
    # "where can I spend it?", "do cinemas take it?": where a card or pass can be used.
    "use": (
        r"\bwhere (can |do )?(i |we )?(use|spend)\b|\b(use|spend) it\b|\bcinemas?\b|\bmovies?\b|\bbookstores?\b|"
        r"\bwhat (can |do |should )?(i |we )?(use it for|spend (it )?on|buy with)\b|"
        r"\bгде (можно )?(потратить|тратить|использовать|расплатиться)\b|\bкино\b|\bкинотеатр|\bкниг|"
        r"\bна что (\w+ )?(потратить|тратить|использовать|можно потратить)\b|\bчто (можно )?купить\b|"
        r"\b(dung|xai|su dung|tieu) (o dau|duoc o dau|cho nao)\b|\brap phim\b|\bxem phim\b|\bnha sach\b",
        r"어디서써|어디서쓸|어디에써|어디에쓸|사용처|가맹점|쓸만한|쓸곳|쓸데|영화관|영화봐|서점",
    ),
    "penalty": (
        r"\bwhat if (i |we |you )?(don'?t|do not|dont|am late|late|miss|not|forget)\b|"
        r"\bif (i|we) (don'?t|dont|do not)\b|\bif (i|we|he|she) (miss|skip|forget|am late|is late|can'?t pay)\b|"
        r"\bfine\b|\bpenalt|\bесли не\b|\bне смогу (за)?платить\b|\bcan'?t pay\b|"
        r"\bkhong (dong|tra) (duoc|noi)\b|\bа если (не|опозда|пропуст)|\bчто будет\b|\bштраф|"
        r"\bneu (ko|khong|k) (dong|lam|dang ky|bao)\b|\bbi phat\b|\btre han\b|\bneu tre\b|\bphat (bao nhieu|tien)\b|"
        # "а если 4 месяца не заплачу?", "neu 4 thang ko dong": what happens after months unpaid
        r"\bесли\b.{0,20}\bне (за)?плач|\bneu\b.{0,15}\b(ko|khong|k) dong\b",
        r"안하면|안내면|못내면|늦으면|벌금|과태료|어기면|안지키면|놓치면|밀리면|체납하면|연체하면",
    ),
    # Months of premiums already missed, said as a fact ("지금 2달 밀렸어요", "уже 2 месяца не платил"): after the
    # health insurance answers, what that means for the stay (the caller keeps it to those topics).
    "arrears": (
        r"\b(missed|didn'?t pay|haven'?t paid|not paid|owe) (for )?\d+ months?\b|"
        r"\b\d+ months? (unpaid|behind|overdue)\b|"
        r"\b\d+ (месяц|месяца|месяцев) (уже )?не (плат|заплат|оплач)|\bне (плат|заплат|оплач)\w* (уже )?\d+ "
        r"(месяц|месяца|месяцев)|\bдолг (за )?\d+ (месяц|месяца|месяцев)|"
        r"\b(da )?no \d+ thang\b|\b\d+ thang (roi )?(chua|ko|khong|k) dong\b|\bchua dong \d+ thang\b",
        r"\d+(달|개월)(째|이나|나)?(밀렸|밀려|체납|연체|못냈|안냈)",
    ),
    # Time already gone by, said as a fact ("chuyen 1 thang roi", "уже месяц прошёл", "한 달 지났어요"): after a
    # topic with a deadline, whether one is late (the caller keeps it to those topics).
    "late": (
        r"\b(already|it'?s been|been) (\d+|a|one|two|three) (days?|weeks?|months?)\b|"
        r"\b(\d+|a|one|two|three) (days?|weeks?|months?) (ago|already|passed)\b|"
        r"\bуже (\d+ )?(дн|недел|месяц)\w*|\b(\d+ )?(дн|недел|месяц)\w* (уже )?(прош(ло|[её]л|ла)|назад)\b|"
        r"\b\d+ (ngay|tuan|thang) (roi|truoc)\b|\bda (duoc )?\d+ (ngay|tuan|thang)\b",
        r"(\d+|한|두|세)(일|주|주일|달|개월)(이|째|가|나)?(지났|넘었|됐|되었|전에)",
    ),
    "fee": (
        r"\bhow much\b|\bcost\b|\bfee\b|\bprice\b|\bfree\b|\bticket\b|\bper month\b|\ba month\b|\bmonthly\b|"
        r"^(and )?(for )?(one|1|a) month\??$|"
        r"\bсколько (там |тут |это |им |ему |ей |мне |нам )?(стоит|платить|денег|дают|получ|в месяц)|"
        r"\bплатн|\bбесплатн|\bцена\b|\bстоимост|\bв месяц\b|\bбилет\w*\b|\badmission\b|\bentry fee\b|"
        r"\bbao nhieu\b(?! (tieng|gio|ngay|lan|tuoi))|\bbn tien\b|\bbnhieu\b|\bnhiu tien\b|"
        r"\bmat phi\b|\bmien phi\b|\bchi phi\b|\ble phi\b|\bmat tien\b|\bton tien\b|\bmoi thang\b|\b(mot|1) thang\b",
        r"얼마(?!나(시간|기간|걸|오래|남))|비용|수수료|무료|유료|입장료|관람료|돈(을|이)?내|돈내|공짜|한달에|한달로|한달이면|월로치면|월급으로(는|치면)",
    ),
    "documents": (
        r"\bwhat (should|do) i (bring|need)\b|\bdocuments?\b|\bpapers?\b|\bbring\b|"
        r"\bчто (с собой )?(брать|взять|нужно принести)\b|\bдокумент|\bбумаг|"
        r"\bgiay to\b|\bmang (theo )?gi\b|\bcan (mang|chuan bi) gi\b|\bho so\b|\bwhat do i need\b|"
        r"\bчто (нужно|надо) (принести|взять|с собой|сделать|подготовить|оформить)\b|"
        r"\bwhat (do|should) (i|we) (need to|have to) do\b|\b(can|phai) lam (gi|nhung gi)\b",
        r"서류|뭐가져|뭘가져|준비물|챙겨|뭐필요|뭐가필요|뭘준비|뭐준비",
    ),
    # "how many times can I change?", "몇번까지 바꿀수있어요?": how often, which the topic's answer says.
    "count": (
        r"\bhow many times\b|\bhow often\b|\bсколько раз\b|\b(may|bao nhieu) lan\b",
        r"몇번|몇회|몇차례",
    ),
    # "what exactly do they do?", "а что именно делают": what a programme does for the resident.
    "services": (
        r"\bwhat (exactly )?(do|does|will|can) (they|it|the program|the programme|the service)s? "
        r"(do|offer|provide|help with)\b|\bwhat services\b|\bwhat kinds? of (help|services?)\b|"
        r"\bчто (именно |конкретно )?(делают|дают|предоставля)|\bкакие (услуги|виды помощи)\b|\bчем (именно )?помога|"
        r"\bdich vu (gi|nao)\b|\bho (lam|giup) (gi|nhung gi)\b|\bho tro (nhung )?gi\b|"
        # "what happens there?" after an event: what it is
        r"\bwhat happens( there)?\b|\bwhat (is|will be) there\b|\bчто там (будет|делают|происходит|бывает)\b|"
        r"\bco (gi|nhung gi) (o do|vay|khong)\b|\bo do co gi\b",
        r"(뭐|뭘|무엇을|어떤거|어떤걸)해(주|줘)|무슨서비스|어떤서비스|어떤도움",
    ),
    # "my TOPIK is only 3", "у меня топик 2": what a resident must have or meet (a level, grades).
    "conditions": (
        r"\btopik\b|\bтопик|\blevel \d\b|\b\d(st|nd|rd|th)? level\b|\bуров(ень|ня|не)\b|\bgpa\b|\bcap \d\b|"
        r"\brequirements?\b|\bтребовани|\bdieu kien\b|"
        # A student's year or university ("2학년이에요", "e hoc o 전남대"): the rule depends on them.
        r"\b(first|second|third|fourth|final|1st|2nd|3rd|4th) year\b|\byear [1-4]\b|\bi (study|am studying) at\b|"
        r"\b[1-4][- ]?(й |м )?курс|\b(на )?(первом|втором|третьем|четв[её]ртом|первый|второй|третий) курс|"
        r"\bучусь в\b|\b(sinh vien )?nam (nhat|hai|ba|tu|cuoi)\b|\bhoc (o|tai)\b|"
        # "я магистрант", "sorry actually im masters student at 전남대", "я в 전남대", "em hoc cao hoc"
        r"\b(i'?m|i am|im) (a )?(masters?|master's|phd|graduate|grad|undergrad\w*|bachelor'?s?) (student)?|"
        r"\b(магистрант|аспирант|бакалавр)\w*\b|^я в \S*(대|университет|универ)|\bhoc (cao hoc|thac si|tien si)\b|"
        # Which grade (class) a child joins at school: "vo lop may", "в какой класс пойдёт", "what grade?"
        r"\b(which|what) (grade|class|year)\b|\bв как(ой|ом|им) класс|\b(vo|vao|hoc|len) lop (may|nao|mat)\b|"
        r"\blop may\b",
        r"몇학년|학년배정|토픽|\d급|레벨|\d단계|성적|학점|출석률|조건|[1-4]학년|[일이삼사]학년|대(학교)?(다녀|다니|학생|에다녀)",
    ),
    "check": (
        r"^check\b|\bcan i get it\b|\bcan (he|she|they|we|my \w+) (get|apply)\b|"
        r"\b(lam|nhan|xin|dang ky|cap|lay|huong)( \S+){0,3} (duoc|dc) (khong|ko|k|hok|hong|khum)\b|"
        r"\bможно (ли )?(получить|оформить)\b|\bхочу( \S+){0,3} (оформить|получить|сделать)\b|"
        r"\b(want|wanna|like) to (get|apply|make)\b|\bmuon (lam|dang ky|nhan|xin)\b|"
        r"\bam i eligible\b|\bcan i (get|apply)\b|\bdo i qualify\b|\bcheck (for )?me\b|"
        r"\bпровер|\bмне (можно|положен|дадут)|\bя могу получить\b|\bа мне\b|"
        r"\b(em|toi|minh|mik) (co )?(duoc|dc) (khong|ko|k|hok|hong|khum)\b|\bkiem tra\b|\bco duoc nhan\b",
        r"받을수있|받을수있어|저도돼|저도되|저도받|확인해|해당돼|해당되|대상이에|대상인가|신청하고싶|받고싶|만들고싶|"
        r"발급받고싶|신청할래|만들래|되나요|될까요|받을수있나|가능한가|가능해요\?|가능할까",
    ),
    "next_year": (
        r"\bnext year\b|\bnext one\b|\bnext round\b|\bв следующем году\b|\bна следующий год\b|"
        r"\bследующ\w* раз\b|\bnam sau\b|\bnam toi\b|\bsang nam\b|\bdot sau\b|"
        # "а с января больше будет?": from the new year on
        r"\bс (1 |первого )?января\b|\bfrom (1 )?january\b|\bfrom (the )?new year\b|\btu (thang 1|thang gieng)\b",
        r"내년|다음해|다음번|다음차례|1월부터|새해부터",
    ),
    # "and the old fridge?", "диван куда?", "소파는요?" after the rubbish rules: big things go another way.
    "appliances": (
        r"\b(fridge|refrigerator|freezer|washing machine|washer|dryer|tv|television|air ?con\w*|microwave|"
        r"computer|monitor|appliances?)\b|\bхолодильник|\bстиральн|\bтелевизор|\bкондиционер|\bмикроволнов|"
        r"\bтехник|\btu lanh\b|\bmay giat\b|\btivi\b|\bti vi\b|\bdieu hoa\b|\bmay lanh\b|\blo vi song\b|"
        r"\bdo dien\b",
        r"냉장고|세탁기|텔레비전|티비|에어컨|전자레인지|컴퓨터|가전",
    ),
    "large_items": (
        r"\b(sofa|couch|bed|mattress|wardrobe|closet|desk|table|chairs?|furniture|bookshelf|cabinet)\b|"
        r"\bдиван|\bкроват|\bматрас|\bшкаф|\bстол\b|\bстул|\bмебел|\bghe sofa\b|\bsofa\b|\bgiuong\b|"
        r"\bnem\b|\btu quan ao\b|\bban ghe\b|\bdo go\b|\bdo noi that\b|\btu (go|lon|to|bep|sach|giay|ao)\b|"
        r"\bcai tu\b|\bcai ban\b|\bcai ghe\b|\bban (hoc|an|lam viec)\b",
        r"소파|쇼파|침대|매트리스|장롱|옷장|책상|식탁|의자|가구|대형폐기물",
    ),
    "website": (
        r"\bwebsite\b|\bsite\b|\bonline\b|\blink\b|\bсайт\b|\bссылк|\bonline\b|\btrang web\b|\bweb\b|\blink\b",
        r"홈페이지|사이트|링크|누리집",
    ),
    "languages": (
        r"\b(speaks?|speaking) (vietnamese|russian|english|korean|my language)\b|\bin (vietnamese|russian|english)\b|"
        r"\b(english|russian|vietnamese|korean) (support|line|speaking|service|staff)\b|\binterpret|"
        r"\bпо[- ]?(русски|вьетнамски|английски)\b|\bна русском\b|\bпереводч|"
        r"\btieng (viet|nga|anh)\b|\bphien dich\b|\bthong dich\b|"
        # Any other language a resident may speak: "any one speak khmer?", "по-узбекски?", "네팔어 돼요?"
        r"\b(speaks?|speaking|in) (khmer|cambodian|nepali|uzbek|chinese|mongolian|thai|tagalog|filipino|"
        r"indonesian|kazakh|kyrgyz|sinhala|bengali|urdu|burmese|myanmar)\b|"
        # a language named alone, as a question: "uzbek?", "по-узбекски?", "tieng nga?"
        r"^(khmer|cambodian|nepali|uzbek|chinese|mongolian|thai|tagalog|filipino|indonesian|kazakh|kyrgyz|sinhala|"
        r"bengali|urdu|burmese|vietnamese|russian|english)( language| speaker)?\s*\?+$|"
        # broken English puts the language first: "khmer speak?", "nepali speak person there?"
        r"\b(khmer|cambodian|nepali|uzbek|chinese|mongolian|thai|tagalog|filipino|indonesian|kazakh|kyrgyz|"
        r"sinhala|bengali|urdu|burmese|myanmar|vietnamese|russian|english) (speak|speaker|speaking|speaks)\b|"
        # ... or asks for a person of that language: "nepali person there?", "vietnamese staff?"
        r"\b(khmer|cambodian|nepali|uzbek|chinese|mongolian|thai|tagalog|filipino|indonesian|kazakh|kyrgyz|"
        r"sinhala|bengali|urdu|burmese|myanmar|vietnamese|russian|english) (person|people|staff|counsell?ors?|"
        r"workers?|someone|somebody)\b|"
        r"\bco nguoi (noi )?(tieng )?(viet|nga|nepal|campuchia|trung|thai|mong co|indonesia|uzbek|philippines)"
        r"( nao)? (o do |o day |ben do )?(ko|khong|k)\b|"
        r"\bпо[- ]?(узбекски|казахски|киргизски|китайски|монгольски|тайски|кхмерски|английски|корейски)\b|"
        r"\btieng (khmer|campuchia|nepal|trung|thai|mong co|indonesia|uzbek|philippines)\b",
        r"베트남말|베트남어|러시아말|러시아어|영어로|통역|"
        r"(캄보디아|크메르|네팔|우즈벡|중국|몽골|태국|인도네시아|필리핀|타갈로그|카자흐|키르기스|영)(어|말)",
    ),
}
# A day named alone ("а в субботу?", "토요일에도 해요?", "thu 4 thi sao") asks the hours, unless the
# message asks something else too ("thu 4 thi di dau": where; "수요일에 통역 있어요?": languages).
_WEEKDAYS = (
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)s?\b|\bпонедельник|\bвторник|"
    r"\bсред(а|у|ам|е)\b|\bчетверг|\bпятниц|\bсуббот|\bвоскресен|\bвыходн|"
    r"\bthu (2|3|4|5|6|7|hai|ba|tu|nam|sau|bay)\b|\bchu nhat\b|\bcuoi tuan\b|"
    # "t7 e nghi di dc ko", "cn co mo ko": Saturday and Sunday as Vietnamese residents type them
    r"\bt[2-7]\b|\bcn\b|"
    # "tomorrow ok?", "오늘 가도 돼요?": that day's hours too
    r"\b(tomorrow|today|tonight)\b|\bзавтра\b|\bсегодня\b|\bngay mai\b|\bhom nay\b|\btoi nay\b",
    r"월요일|화요일|수요일|목요일|금요일|토요일|일요일|주말|내일|오늘|낼",
)
# The voluntary-departure period ("amnesty") asked after, in a longer sentence too: when it ran.
_AMNESTY = (re.compile(r"\bamnest|\bамнист|\bvoluntary departure\b|\bдобровольн\w* выезд|"
                       r"\btu nguyen (ve nuoc|xuat canh|ve)\b|"
                       # "the special program for go home without penalty", "уехать без штрафа", "ve ko bi phat"
                       r"\b(go(ing)? home|leave|return)\b.{0,20}\bwithout (a |any )?(penalt|fine|ban)|"
                       r"\b(уехать|выехать|уеду)\b.{0,20}\bбез (штраф|запрет)|\bve\b.{0,15}\b(ko|khong|k) bi phat\b"),
            re.compile(r"자진출국|자진신고|계도기간"))
_FREE_ADVICE = re.compile(r"\bfree\b.{0,25}\b(advice|consult\w*|help|counsel\w*|lawyer)|"
                          r"\bбесплатн\w*.{0,25}(консульт|помо|юрист|адвокат)|(консульт|помо)\w*.{0,25}бесплатн|"
                          r"\b(tu van|ho tro|luat su)\b.{0,20}\bmien phi\b|\bmien phi\b.{0,20}\b(tu van|ho tro)\b")
# "а без 등록증 точно возьмут?", "her ARC not done yet is that problem?": whether it can be done without a
# paper (the topic's documents fact says), also when the paper's name is a topic of its own.
_WITHOUT_PAPER = (
    re.compile(r"\bwithout (an? |the |my |his |her |their )?(arc|registration|residence card|alien registration|"
               r"id|papers?|visa)\b|\b(arc|registration|residence card)\b.{0,15}\b(not (done|yet|ready|made|issued)|"
               r"isn'?t (done|ready)|yet)\b|\b(no|(don'?t|doesn'?t) have( an?| the)?) (arc|residence card)\b|"
               r"\bбез (регистрац|карт|документ|визы|등록|외국인등록)|"
               r"(등록증|регистрац|карт\w* резидент)\w*.{0,15}(ещ[её] )?(нет|не сделал|не получил|не оформил)|"
               r"\bchua (co|lam|dang ky)\b.{0,12}(the cu tru|giay to|외국인등록|등록증|\barc\b|dang ky)|"
               r"\bkhong co (the cu tru|giay to)\b"),
    re.compile(r"등록증(이|은)?(아직)?없|등록(을|은)?(아직)?안|등록(이|은)?(아직)?없|등록(증)?(이|은)?아직안"))
_IN_PERSON = re.compile(r"\bin person\b|\bface to face\b|\bлично\b|\bвживую\b|\btruc tiep\b|"
                        r"\bgap (truc tiep|mat)\b")
# Words that make a message a question of its own, not a follow-up.
_OWN_TOPIC = re.compile(
    r"visa|виз|вiз|bi sa|gia han|продл|extend|renew|\bluong\b|зарплат|salary|wage|insurance|страхов|bao hiem|"
    r"school|школ|truong|"
    r"culture|культур|van hoa|rubbish|garbage|мусор|rac|event|мероприят|su kien|hospital|боль?ниц|benh vien|"
    r"event|festival|праздник|le hoi|korean class|корейск(?!и\b|ом\b)|"
    r"(hoc|lop|khoa) tieng han|"
    r"\barc\b|residence card|регистрац|\bthe cu tru\b|"
    r"\bminimum\b|минимальн|toi thieu|"
    # a divorce ("юрист бесплатно для развода есть?" after violence at home)
    r"\bdivorc|\bразвод|\bly hon\b|이혼|"
    # the minimum wage by its nickname ("а в 2027 сколько будет минималка?")
    r"минималк|"
    # changing workplace ("after this can my friend change company?", "сменить работу", "doi cho lam")
    r"\bchange (a |the |my |his |her )?(company|job|workplace|employer|factory)\b|"
    r"\b(смен|помен)\w* (работ|завод|компани|работодател)|\bdoi (cho lam|cong ty|viec)\b|"
    r"회사(를|을)? ?(바꾸|바꿀|옮기|옮길)|사업장 ?변경|이직|"
    # the boss, learning, a free doctor: questions of their own after any place ("where we report boss",
    # "есть где учить?", "free doctor sunday?")
    r"\bboss\b|\bemployer\b|начальник|работодател|\bchu (cong ty|xuong)\b|사장|"
    r"\blearn\b|\b(вы|на|из)?учи(ть|ться)\b|\bизучать\b|\bподтянуть\b|\bhoc tieng\b|\bhoc o dau\b|배우|"
    r"\bwhere (i |we |can i |can we |to |do i )?(can |could )?(study|learn)\b|\bclass(es)?\b|"
    r"\bfree (doctor|clinic|treatment|medical|check)|бесплатн\w* (врач|при[её]м|лечен|клиник)|"
    r"\bkham (benh )?mien phi\b|\bmien phi kham\b|무료 ?(진료|병원)|"
    # asking for an interpreter (a service of its own), not whether a place has one ("нужен бесплатный переводчик
    # сходить в 출입국", "i need a free interpreter for immigration")
    r"\b(need|want|get|find|book)\w* (a |an )?(free )?(interpreter|translator)\b|\bfree (interpreter|translator)\b|"
    r"\bнуж(ен|на|но)( бесплатн\w+)? переводчик|\bбесплатн\w* переводчик|\bcan (nguoi )?phien dich\b|"
    r"통역(이|사)? ?(필요|구해|부탁)|무료 ?통역|"
    # being ill: where to be seen is a question of its own, not the last topic's office ("그럼 아프면 어디가요")
    r"\b(get|gets|getting|am|is|fall) (sick|ill)\b|\bsee a doctor\b|заболе|\bк врачу\b|\bbi om\b|아프면|아플 ?때|"
    r"최저|시급|비자|연장|월급(?!으로)|임금|보험|학교|쓰레기|행사|축제|병원|문화누리|한국어(?!로)|외국인등록|등록증",
    re.IGNORECASE)


# "Which hospital?", "какая больница?", "benh vien nao?", "어느 병원이요?": where the topic's help is given.
_WHICH_HOSPITAL = (re.compile(r"^(and |so )?(which|what) (hospitals?|clinics?)\b|\b(как(ая|ой|ие)|в как(ой|ую|ие)) "
                              r"(больниц|клиник)|\b(benh vien|phong kham) (nao|gi)\b"),
                   re.compile(r"(어느|무슨|어떤)(병원|의원)"))
# "Do they have …?" about the place just shown ("do they have english newspaper", "у них есть библиотека?",
# "o do co cho dau xe ko", "거기 도서관도 있어요?"): what the place's record says it does (the caller decides).
_HAS = (re.compile(r"\b(do|does) (they|it|the (center|centre|office|hospital|clinic|place)) (have|has|offer|sell|"
                   r"give|run|publish)\b|\b(у них|там) (есть|бывает|имеется)\b|\bесть (ли )?(у них|там)\b|"
                   r"\b(o do|ben do|cho do|ho) co\b.{0,30}\b(ko|khong|k)\b"),
        re.compile(r"거기.{0,12}(있어요|있나요|있어\?|있음)"))
# The resident's own free day ("only sunday free", "free on weekends"): "free" is no price there.
_DAY_OFF = re.compile(r"\bonly (on )?(sun|satur)days?( is| are)? (free|off)\b|\b(sun|satur)days? only\b|"
                      r"\b(i am|i'm|im|i) (only )?(free|off)\b|\bmy days? off\b|\bday off\b")


# "where do I call?", "куда звонить?", "goi dau", "어디에 전화해요?": whom to call (a number), not where to go.
_WHERE_TO_CALL = re.compile(r"\b(where|who|which number) (do i |can i |should i |to |can we |do we )?"
                            r"(call|ring|phone)\b|"
                            r"\b(куда|кому) (мне |нам )?(звонить|позвонить|обращаться по телефону)\b|"
                            r"\bgoi (cho )?(ai|dau|so nao|o dau)\b")


def detect_followup(text: str, place_named: bool = False, exclude: tuple[str, ...] = (),
                    context_words: str = "", topic: Optional[str] = None) -> Optional[str]:
    """Which fact a short follow-up asks for.

    One of ``address``, ``phone``, ``hours``, ``when``, ``fee``, ``documents``, ``penalty``, ``arrears``,
    ``balance``, ``deadline`` (by when someone must pay or act), ``use``, ``conditions``, ``services``,
    ``languages``, ``advice`` (free advice), ``appliances``, ``large_items``, ``count`` (how many times),
    ``check`` (can I get it?), ``next_year``,
    ``website``. With ``place_named`` the message names a place ("조선대병원 전화번호요"), so its
    words of a topic do not make it a question of its own, and it may be a little longer.
    ``context_words`` are the names of the place the last answer was about (folded with
    :func:`fold_words`): a kind of place found there ("where in the hospital do we go?" after Chosun
    University Hospital) is that place, not a new topic.
    """
    lowered = unicodedata.normalize("NFC", text).casefold().strip()
    folded, korean = " ".join(fold(lowered).split()), re.sub(r"\s+", "", lowered)
    if len(lowered.split()) <= MAX_WORDS + 7 and "when" not in exclude and (
            _AMNESTY[0].search(folded) or _AMNESTY[1].search(korean)):
        return "when"
    day = bool(re.search(_WEEKDAYS[0], folded) or re.search(_WEEKDAYS[1], korean))
    # A day the resident is free ("e lam o 평동 공단, chi nghi chu nhat thoi") may come in a longer sentence.
    limit = MAX_WORDS + 7 if place_named else MAX_WORDS + 3 * day
    if not lowered or len(lowered.split()) > limit or len(lowered) > 60 + 40 * place_named:
        return None
    without_paper = bool(_WITHOUT_PAPER[0].search(folded) or _WITHOUT_PAPER[1].search(korean))
    if without_paper and "documents" not in exclude:
        return "documents"
    if len(folded.split()) <= 4 and (_WHICH_HOSPITAL[0].search(folded) or _WHICH_HOSPITAL[1].search(korean)):
        return "which_place"  # "which hospital?" after the aid for the uninsured: where it is given (caller decides)
    if not place_named and _names_new_topic(folded, context_words, topic):
        return None
    if re.search(rf"(?<!\d){clock.today().year + 1}(?!\d)", folded):
        return "next_year"  # "и в 2027?", "nam 2027 tang bao nhieu"
    calls = re.search(r"\bcall\b|\bпозвонить\b|\bзвонить\b|\bgoi\b", folded) or \
        re.search(r"전화(해|하|할|돼|되)", korean)
    # ("that number", "그 번호" point back to the number given: "그 번호 토요일에도 전화돼요?" asks when)
    asks_number = re.search(r"(?<!that )(?<!this )\bnumber\b|(?<!этот )(?<!этому )\bномер|\bтелефон|"
                            r"\bsdt\b(?! (do|nay))|\bso\b(?! (do|nay))", folded) or \
        re.search(r"(?<![그이저])번호", korean)
    if day and calls and "hours" not in exclude and not asks_number:
        return "hours"  # "can I call on Saturday?" asks when, not the number
    if day and _DAY_OFF.search(folded):
        return "hours"  # "i work mon to sat, only sunday free": when there is something on that day, not a price
    if _FREE_ADVICE.search(folded) or re.search(r"무료(로)?(상담|도와|도움)", korean):
        return "advice"  # "бесплатно где-то консультируют?": where free advice is to be had
    if day and "hours" not in exclude and _asks("hours", folded, korean):
        return "hours"  # "hom nay thu 3 co cho nao mo k": which is open that day, not where
    if _IN_PERSON.search(folded) or re.search(r"직접만나|만나서(얘기|이야기|상담)|찾아가서", korean):
        return None  # "러시아어하는 사람 직접 만나서 얘기할수있는곳": a place to go, the classifier's question
    if "languages" not in exclude and _asks("languages", folded, korean) and _asks("address", folded, korean) and \
            not _asks("phone", folded, korean):
        return "languages"  # "где помогут по русски с этим": where help comes in that language
    # "проверить остаток" is about the balance, not a check; "в следующем году сама пополнится?" about the recharge
    # ("di thang toi dc ko hay phai hen": whether to book, though "dc ko" also asks "can I?")
    if "phone" not in exclude and (_WHERE_TO_CALL.search(folded) or re.search(r"어디(에|로)?전화", korean)):
        return "phone"  # "куда звонить узнать сколько я должен": a number to call, not where to go
    first = ("balance", "next_year", "use", "booking", "check")
    for fact in sorted(_FACTS, key=lambda name: name not in first):
        if fact in ("check", "phone") and _asks("languages", folded, korean):
            # "베트남말로 상담 되나요?": whether they speak Vietnamese, not "can I get it?"; "베트남어 돼요? 번호요":
            # the languages, which come with the number.
            continue
        if fact not in exclude and _asks(fact, folded, korean):
            return fact
    if day:
        return "hours"
    if "has" not in exclude and (_HAS[0].search(folded) or _HAS[1].search(korean)):
        return "has"  # "do they have english newspaper or smth" after GIC: what the place does, as recorded
    return None


@functools.lru_cache(maxsize=4096)
def _folded_alias(alias: str) -> str:
    return " ".join(fold(unicodedata.normalize("NFC", alias)).casefold().split())


@functools.lru_cache(maxsize=8192)
def _prepared_alias(alias: str) -> tuple[str, Optional[str]]:
    """An alias folded as messages are, and for a Korean one the same without spaces (matched inside
    words); computed once per alias, not once per alias and message."""
    name = _folded_alias(alias)
    return name, (re.sub(r"\s+", "", name) if re.search(r"[가-힣]", name) else None)


@functools.lru_cache(maxsize=4096)
def _alias_pattern(name: str) -> re.Pattern[str]:
    """A whole-word pattern for one folded alias (compiled once: there are hundreds)."""
    return re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])")


def match_names(text: str, aliases: dict[str, list[str]]) -> list[str]:
    """The keys whose alias a message names, the longest alias found winning ("노동청 수요일" over "노동청").

    Korean aliases match inside words (particles attach to them: "출입국에"); others match
    whole words. Several keys come back when they share the winning alias (the yearly
    records of one event).
    """
    folded = " ".join(fold(unicodedata.normalize("NFC", text)).casefold().split())
    squeezed = re.sub(r"\s+", "", folded)
    best = 0
    found_keys: list[str] = []
    for key, names in aliases.items():
        for alias in names or []:
            name, korean = _prepared_alias(str(alias))
            if not name or len(name) < best:
                continue
            if korean is not None:
                found = korean in squeezed
            else:
                found = _alias_pattern(name).search(folded) is not None
            if found:
                if len(name) > best:
                    best, found_keys = len(name), []
                if key not in found_keys:
                    found_keys.append(key)
    return found_keys


def without_names(text: str, aliases: list[str]) -> str:
    """``text``, folded as the matcher folds it, without these names ("조선대병원 전화번호요" -> "전화번호요")."""
    folded = " ".join(fold(unicodedata.normalize("NFC", text)).casefold().split())
    for name in sorted((_folded_alias(str(alias)) for alias in aliases), key=len, reverse=True):
        if name:
            folded = folded.replace(name, " ").replace(name.replace(" ", ""), " ")
            if re.search(r"[가-힣]", name):  # a Korean name matches with spaces anywhere ("조선대 병원")
                spaced = r"\s*".join(re.escape(ch) for ch in name.replace(" ", ""))
                folded = re.sub(spaced, " ", folded)
    return folded


def match_place(text: str, aliases: dict[str, list[str]]) -> Optional[str]:
    """The place a message names by one of its aliases ("조선대병원", "адрес 출입국", "chonnam uni hospital")."""
    found = match_names(text, aliases)
    return found[0] if found else None


_NAME_WORD = re.compile(r"[a-z\u00c0-\u024f\u1e00-\u1effа-яё]{4,}|[가-힣]{2,}")


def listed_place_named(text: str, names: dict[str, list[str]], common: frozenset[str] = frozenset()) -> Optional[str]:
    """The one place of a list just shown that a message names by a word only that place's names have ("phone for
    chosun?" after a list with Chosun University Hospital, "조선대 где?"): a Korean word may be the start of
    a name ("조선대" of "조선대학교병원"). None when no place, or more than one, is named so. ``common``: words
    that name no place in particular ("hospital", "центр"; see :func:`common_name_words`)."""
    words = {key: set(_name_words(place_names)) - common for key, place_names in names.items()}
    counts = Counter(word for place_words in words.values() for word in place_words)
    distinct = {key: {word for word in place_words if counts[word] == 1} for key, place_words in words.items()}
    said = _name_words([text])
    hits = {key for key, place_words in distinct.items() for token in said for word in place_words
            if token == word or ("\uac00" <= token[0] <= "\ud7a3" and len(token) >= 3 and word.startswith(token))}
    return hits.pop() if len(hits) == 1 else None


def _name_words(texts: Iterable[str]) -> list[str]:
    """The words of texts that can be (part of) a place's name, folded as :func:`listed_place_named` compares
    them."""
    return _NAME_WORD.findall(fold_words(texts))


def _folded_names(aliases: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each place's aliases folded as texts are, without those too short or numeric to name it ("1345")."""
    folded = {key: [fold(unicodedata.normalize("NFC", name).casefold()).strip() for name in names]
              for key, names in aliases.items()}
    return {key: [name for name in names if len(name) >= 3 and not name.replace("-", "").isdigit()]
            for key, names in folded.items()}


# The last aliases prepared (the gateway passes the same cached dict until its content changes): folding every
# alias and counting the words places share cost milliseconds a message otherwise.
_prepared: list[tuple[dict[str, list[str]], dict[str, list[str]], frozenset[str]]] = []


def _prepare(aliases: dict[str, list[str]]) -> tuple[dict[str, list[str]], frozenset[str]]:
    """``aliases`` folded (:func:`_folded_names`) and the words many places share (:func:`common_name_words`)."""
    if not _prepared or _prepared[0][0] is not aliases:
        _prepared[:] = [(aliases, _folded_names(aliases), common_name_words(aliases))]
    return _prepared[0][1], _prepared[0][2]


def _says_name(folded: str, wanted: str) -> bool:
    """Whether folded text has a place's folded name as words of its own ("gic" in "GIC's classes", not in
    "magic"; a Korean name may go on with a particle)."""
    start = folded.find(wanted)
    while start >= 0:
        end = start + len(wanted)
        if (start == 0 or not folded[start - 1].isalnum()) and (
                end == len(folded) or not folded[end].isalnum() or "\uac00" <= wanted[-1] <= "\ud7a3"):
            return True
        start = folded.find(wanted, start + 1)
    return False


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n")


_DAYS = [re.compile(pattern) for pattern in (
    r"\bmondays?\b|понедельник|\bthu (2|hai)\b|\bt2\b|월요일",
    r"\btuesdays?\b|вторник|\bthu (3|ba)\b|\bt3\b|화요일",
    r"\bwednesdays?\b|\bсред(а|у|ам|е|ы)\b|\bthu (4|tu)\b|\bt4\b|수요일",
    r"\bthursdays?\b|четверг|\bthu (5|nam)\b|\bt5\b|목요일",
    r"\bfridays?\b|пятниц|\bthu (6|sau)\b|\bt6\b|금요일",
    r"\bsaturdays?\b|суббот|\bthu (7|bay)\b|\bt7\b|토요일",
    r"\bsundays?\b|воскресен|\bchu nhat\b|\bcn\b|일요일")]


def days_named(text: str) -> set[int]:
    """The days of the week a text names (0 is Monday), in any of the four languages."""
    folded = " ".join(fold(unicodedata.normalize("NFC", text).casefold()).split())
    return {day for day, pattern in enumerate(_DAYS) if pattern.search(folded)}


def places_named(text: str, aliases: dict[str, list[str]]) -> list[str]:
    """The places (keys of ``aliases``) a text names by one of their aliases, in the order of ``aliases``."""
    return _places_said(fold(unicodedata.normalize("NFC", text).casefold()), _prepare(aliases)[0])


def _places_said(folded: str, names: dict[str, list[str]]) -> list[str]:
    return [key for key, place_names in names.items() if any(_says_name(folded, name) for name in place_names)]


def mentioned_place_named(text: str, answers: Iterable[str], aliases: dict[str, list[str]]) -> Optional[str]:
    """The one place that recent ``answers`` named in passing and a message names by a word of its name ("조선대
    где?" after "больница университета Чосон (조선대학교병원)"), by the places' ``aliases``. A place is named by
    the words of its names that the sentence naming it used ("клиника" of "Клиника для корё-сарам
    (고려인광주진료소) принимает…"), not by words only its record has: "курсы" of "курсы KIIP" is no name of
    KIIP to one who read "TOPIK, KIIP или…". Words many places share ("центр", "hospital") name none."""
    folded = fold(unicodedata.normalize("NFC", "\n".join(answers)).casefold())
    said, common = _prepare(aliases)
    mentioned = {key: said[key] for key in _places_said(folded, said)}
    named: dict[str, list[str]] = {}
    for sentence in _SENTENCE_END.split(folded):
        used = set(_name_words([sentence]))
        for key, names in mentioned.items():
            if any(_says_name(sentence, name) for name in names):
                named.setdefault(key, []).extend(
                    word for word in _name_words(aliases[key]) if word in used or (
                        "\uac00" <= word[0] <= "\ud7a3" and any(other.startswith(word) for other in used)))
    return listed_place_named(text, named, common) if named else None


def common_name_words(names: dict[str, list[str]], places: int = 3) -> frozenset[str]:
    """The words of places' names that ``places`` or more places share: a kind of place ("hospital",
    "больница", "센터") or the city, not a name of one."""
    counts = Counter(word for place_names in names.values()
                     for word in set(_name_words(place_names)))
    return frozenset(word for word, count in counts.items() if count >= places)


_MORE = re.compile(r"^(and |и |а |con |va )?(more|show more|next|others?|any other|ещ[её]|дальше|больше|другие|"
                   r"them|xem them|tiep|con nua|con (noi|cho) (khac|nao) (khong|ko|k)|nua)\b", re.IGNORECASE)
_KO_MORE = re.compile(r"^(더|더보기|다음|다른(곳|데)|또)")


def fold_words(texts: Iterable[str]) -> str:
    """Texts folded as messages are, joined: what :func:`detect_followup` compares topic words with."""
    return " ".join(" ".join(fold(unicodedata.normalize("NFC", text)).casefold().split()) for text in texts)


# Topic words that are also a kind of place: the place just shown, when its names have the word.
_PLACE_KIND = re.compile(r"hospital|боль?ниц|benh vien|병원")


# A topic's own subject, said again right after that topic, names no new topic ("телефон страховой по русски есть?"
# after health insurance arrears: the insurer's number).
_INSURANCE = re.compile(r"insurance|страхов|bao hiem|보험")
_SAME_SUBJECT = {"faq_health_insurance": _INSURANCE, "faq_insurance_arrears": _INSURANCE}


def _names_new_topic(folded: str, context_words: str, topic: Optional[str] = None) -> bool:
    """Whether a folded message names a topic of its own, other than the kind of place just shown (or the
    subject of ``topic``, the topic just answered)."""
    found = [match.group(0).casefold() for match in _OWN_TOPIC.finditer(folded)]
    same = _SAME_SUBJECT.get(topic or "")
    return any(not (_PLACE_KIND.fullmatch(word) and word in context_words) and not (same and same.fullmatch(word))
               for word in found)


def names_a_topic(text: str, place_words: str = "") -> bool:
    """Whether a message names a topic of its own (visa, wages, insurance…): then it is a question, not a follow-up.
    ``place_words``: the folded names of a place being asked about; the kind of place they name ("where in the
    hospital?" about a hospital) is no topic of its own."""
    return _names_new_topic(" ".join(fold(unicodedata.normalize("NFC", text).casefold()).split()), place_words)


def asks_for_more(text: str) -> bool:
    """Whether a short message asks for more of a list ("more", "ещё", "xem thêm", "더 있어요?")."""
    lowered = " ".join(fold(unicodedata.normalize("NFC", text)).casefold().split())
    if not lowered or len(lowered.split()) > 4:
        return False
    return bool(_MORE.search(lowered) or _KO_MORE.search(lowered.replace(" ", "")))


def asks_about_balance(text: str) -> bool:
    """Whether a message, however long, asks about what is left on a card or its recharge ("у меня с прошлого
    раза на карте деньги остались, они сгорят?", "still money left, can use in january?")."""
    lowered = unicodedata.normalize("NFC", text).casefold()
    return _asks("balance", " ".join(fold(lowered).split()), re.sub(r"\s+", "", lowered))


def asks_to_check(text: str) -> bool:
    """Whether a message asks "can I get it?" ("мне можно 문화누리카드?", "저도 받을 수 있어요?")."""
    lowered = unicodedata.normalize("NFC", text).casefold()
    folded, korean = " ".join(fold(lowered).split()), re.sub(r"\s+", "", lowered)
    if _asks("balance", folded, korean):
        return False  # "как проверить остаток", "kiem tra so du": the balance, not "can I get it?"
    latin, hangul = _FACTS["check"]
    return bool(re.search(latin.replace("^check\\b|", ""), folded) or re.search(hangul, korean))


def _asks(fact: str, folded: str, korean: str) -> bool:
    """Whether a message (folded, and without spaces for Korean) asks for ``fact``."""
    latin, hangul = _FACTS[fact]
    return bool(re.search(latin, folded) or re.search(hangul, korean))


def topic_facts(path: Path = TOPIC_FACTS_PATH) -> dict[str, dict[str, dict[str, Any]]]:
    """Topic (catalog key) -> fact -> its record: one text per language, source, confidence, verified date."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(topic): {str(fact): dict(record) for fact, record in (facts or {}).items() if isinstance(record, dict)}
            for topic, facts in data.items()}


def topic_places(path: Path = TOPIC_PLACES_PATH) -> dict[str, str]:
    """Topic (catalog key) -> the slug of its place."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


_APPLY_NOW = re.compile(
    r"\b(can i|could i|may i|still|now|this year|too late)\b.{0,25}\bappl(y|ication)|\bappl(y|ication)\w*\b.{0,25}"
    r"\b(now|still|this year|open|too late)\b|\b(в этом году|сейчас|ещ[её]|успе\w+)\b.{0,25}\b(пода\w*|заявлен\w*|"
    r"оформ\w*|получ\w*)|\b(пода\w*|заявлен\w*|оформ\w*)\b.{0,25}\b(в этом году|сейчас|ещ[её])\b|"
    r"\b(nam nay|bay gio|gio|con)\b.{0,15}\bdang ky\b|\bdang ky\b.{0,15}\b(nam nay|bay gio|duoc khong|dc ko|duoc ko)\b")
_KO_APPLY_NOW = re.compile(r"(올해|지금|아직|이번년|이번해).{0,10}신청|신청(돼|되나|되요|될까|가능|할수있|할 수 있)")


def asks_to_apply_now(text: str) -> bool:
    """Whether a message asks if one can still apply ("올해 신청돼요?", "can I still apply?", "в этом году
    можно подать?", "nam nay con dang ky duoc ko")."""
    lowered = unicodedata.normalize("NFC", text).casefold()
    return bool(_APPLY_NOW.search(" ".join(fold(lowered).split())) or _KO_APPLY_NOW.search(lowered))
