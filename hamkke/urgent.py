"""Urgent situations, recognised before anything else and whatever the classifier thinks.

A medical emergency, a fire, violence happening now, domestic violence, thoughts
of suicide or an expired visa: the first line of the answer says exactly what to
do now (call 119, 112, 1577-1366, 1393, 1345), in the resident's language, and a
person is offered. This is a safety net of word patterns in ko, en, ru and vi,
typed carelessly (no diacritics, no spaces in Korean, Korean words inside other
languages, Russian in Latin letters), that does not depend on the intent
classifier's confidence: a missed emergency costs far more than a needless
"call 119 if it is an emergency", so the patterns lean towards catching.

Each pattern names a concept (a drooping face, a gas smell, someone following
her, a threat to kill her if she leaves, pills saved up, a visa that ran out)
in the many ways people write it, rather than one sentence.

Vietnamese is matched twice: with its diacritics where a word without them is
ambiguous ("tự tử" suicide / "từ từ" slowly, "cháy" fire / "chạy" run), and
folded where it is not. Korean is matched with the spaces removed.

A few kinds are decided by more than one pattern:

- a weapon (a knife, a bat) is violence, unless it is how the resident cut
  herself at work, which is a medical emergency;
- violence by her partner or in-laws is domestic violence, and so is what only
  a partner does (taking her passport or phone, not letting her out);
- a bare cry for help ("cứu với", "спасите") is violence only when nothing
  more specific is said ("chay nha roi cuu voi" is a fire);
- a visa that expires on a date still to come is an extension question, and a
  question about where a service is describes no emergency under way.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from typing import Optional

from hamkke.folding import fold


class Urgency(str, enum.Enum):
    """What kind of urgent situation; the catalog key of its first line is ``urgent_<value>``."""

    MEDICAL = "medical"
    FIRE = "fire"
    VIOLENCE = "violence"
    DOMESTIC_VIOLENCE = "domestic_violence"
    SUICIDE = "suicide"
    OVERSTAY = "overstay"


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# Vietnamese "not", typed in full or as chat shorthand ("ko", "k", "hong").
_KO = r"(?:khong|ko|k|hong|hok|kg|kh)"
# What "fire" names when nothing is burning ("fire extinguisher", "fire safety class").
_FIRE_THINGS = (r"(station|safety|insurance|drill|extinguishers?|alarms?|department|class|classes|blanket|exits?|"
                r"escape|door|fighters?|truck|hydrant|detectors?|prevention|inspection|training|works)")
_NOT_FIRE_THING = rf"(?! {_FIRE_THINGS}\b)"

# Misspellings of the words the patterns rest on, put right before matching ("folowing", "colapsed",
# "threatend", "visa expird", "husbnd").
_TYPOS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"\bwan+a\b", "want to"), (r"\bgon+a\b", "going to"),
    (r"\b(husbnd|husban|hasband|husbend|husbant|hubsand|husabnd|hsuband|hus band)\b", "husband"),
    (r"\bfol+o?w", "follow"), (r"\bcol+aps", "collaps"), (r"\bbre(a)?th?ing\b", "breathing"),
    (r"\b(can'?t|cannot|not) breath\b", r"\1 breathe"), (r"\bhit+ing\b", "hitting"),
    (r"\bthreat(h)?e?n?e?d\b", "threatened"), (r"\bthreat(h)?e?n?ing\b", "threatening"),
    (r"\bsu(i|e)?(c|s)i?de?\b", "suicide"), (r"\bmy ?s[el]{2}f\b", "myself"),
    (r"\bex(p)?(i|e|ie|ei)?r(i|e|ie)?e?d\b", "expired"), (r"\bover[- ]?sta(y|i)", "overstay"),
    (r"\bsmel\b", "smell"), (r"\b(evrywhere|everwhere|everywere|evrywere)\b", "everywhere"),
    (r"\bon fir\b", "on fire"), (r"\bbrak(e|ing) in", "breaking in"),
    (r"\buncon(s)?c?ious", "unconscious"), (r"\bbl(e|ee|ea)d+ing\b", "bleeding"),
    (r"\bpo(i)?s(i|e)?(o|e)n", "poison"), (r"\b(knive|nife|knif)\b", "knife"),
))

# The last lines of each kind in these tables (and in _KOREAN) were added on 2026-12-07 from messages typed in
# the middle of conversations (tests/data/urgent_devset_midconversation.yml).

# English, on lower-cased folded text.
_EN: dict[Urgency, tuple[str, ...]] = {
    Urgency.SUICIDE: (
        # wanting to die, to end one's life, not to live
        r"\bkill(ing)? (my|him|her|them) ?sel(f|ves)\b", r"\bsuicid", r"\b(want(ed)?|wanna|going|ready) to die\b",
        r"\bwish i (was|were) dead\b", r"\bbetter off dead\b",
        r"\bend(ing)? (my|his|her) (own )?life\b", r"\bend(ing)? (it all|everything)\b", r"\bend it( tonight| now|$)",
        r"\b(don'?t|do not|doesn'?t) want to (live|be alive|exist|wake up)\b",
        r"\bno (reason|point) (to|in) (live|living|go on|going on)\b", r"\bno reason for living\b",
        r"\b(don'?t|do not|can'?t) see (any|the) point (in|of) (living|life)\b",
        r"\blife (is|has) (no meaning|meaningless|pointless|not worth)", r"\b(disappear|sleep) forever\b",
        r"\bnever wake up\b", r"\bcan'?t go on( anymore| like this| living|$|[.!])",
        r"\b(don'?t|do not|can'?t) see the point (anymore|of anything)\b",
        r"\b(want|wish|need) (it|everything|all of this|this|all this) to (stop|end) (forever|for good)\b",
        r"\b(going to|gonna|want to|thinking (about|of|to)|planning to|about to|will|i'?ll)( just)? (take|swallow|"
        r"drink|taking|swallowing) (all|every one of) (my |the |these |those )?(pills|tablets|meds|"
        r"sleeping pills)\b",
        r"\b(left|wrote|leaving) (a |me a |us a )?(note|letter|message)\b.{0,30}\b(goodbye|farewell)\b",
        # the others would be better off; goodbye messages
        r"\b(better|happier|easier) (off )?without me\b", r"\bnobody (would|will) (miss|care|notice)",
        r"\b(goodbye|farewell|suicide) (letter|note|message|text)\b",
        r"\b(texted|sent|wrote) (me |us )?(a )?goodbye", r"\bsaid goodbye (to everyone|forever)\b",
        # the means: pills saved up, a roof or a bridge, a rope, cutting oneself
        r"\b(pills|tablets|sleeping pills) (are )?(ready|saved|collected)\b",
        r"\b(saving|collecting|saved|collected|stockpil\w*) (up )?(\w+ )?(pills|tablets)\b",
        r"\bjump(ing|ed|s)? (off|from|out of) (a |the |my )?(\w+ )?(roof|rooftop|bridge|building|balcony|window|"
        r"ledge)\b", r"\b(going to|gonna|want to|wanna|about to|will|i'?ll) jump (off|from|out)\b",
        r"\b(standing|sitting) on (a |the )?(edge|bridge|roof|rooftop|ledge)\b",
        r"\bon the (roof|rooftop|bridge|ledge)\b.{0,30}\bjump",
        r"\b(bought|got|have|tied) (a |the )?rope\b", r"\bhang (my|him|her)sel",
        r"\bcut(ting)? (my|him|her) ?self\b", r"\b(cut|slit|cutting|slitting) (my|his|her) (wrist|wrists|veins)\b",
        r"\bself[- ]?harm", r"\bhurt(ing)? (my|him|her) ?self\b",
        r"\bcut (my|his|her) (arm|arms|wrist|wrists|leg|legs)\b", r"\b(tired|sick) of (living|life|being alive)\b",
        r"\bno (reason|point) (to )?wake up\b", r"\bbetter (if )?(i|he|she) (disappear|die|was gone|were gone)\b",
        r"\bhow (many|much) (pills?|tablets?|sleeping pills?)\b.{0,20}\b(die|kill|overdose|to end)\b",
        r"\b(bought|collecting|collected|saving|saved|stockpil\w*|have) (a lot of |lots of |many |all (the |my )?)?"
        r"(sleeping |sleep )?pills\b.{0,40}\b(looking|staring|stare|keep|ready)\b",
    ),
    Urgency.DOMESTIC_VIOLENCE: (
        r"\bdomestic (violence|abuse)\b",
        r"\b(hit|beat|beaten|kicked|abused|hurt|choked|strangled) by my (husband|wife|partner|spouse|boyfriend)\b",
        # the same man hurts her again and again
        r"\b(he|she) (still |always |often )?(hits|beats|kicks|slaps|chokes|abuses|hurts|locks) (me|us)\b",
        r"\b(hits|beats|beat|kicks|slaps|abuses|hit) (me|us)\b.{0,30}\b(again|every|all the time|daily|always)\b",
        r"\b(ran away|run away|escaped|fled) from (my )?(husband|boyfriend|partner|in[- ]laws)",
        # a threat to kill her if she leaves (divorces, runs, tells)
        r"\b(he|she|they|husband|boyfriend|partner)\b.{0,20}\b(kill|hurt|beat|find) (me|us|you)\b.{0,30}"
        r"\bif (i|we|you|she) (ever )?(try to )?(leave|go|divorce|run|tell|call)",
        r"\bif (i|we|she) (ever )?(try to )?(leave|divorce|run away|go)\b.{0,30}\b(he|she|they)\b.{0,20}"
        r"\b(kill|hurt|beat)",
        r"\b(her|his) korean (man|husband|boyfriend)\b.{0,15}\b(beats|hits|hit|beat)\b",
        r"\bbeats her\b.{0,40}\bvisa\b",
        r"\bin[- ]?laws? (take|took|takes|keep|keeps)\b.{0,20}\b(salary|money|wages)\b",
    ),
    Urgency.VIOLENCE: (
        # attacked, hit, beaten: now or just now
        r"\b(hitting|beating|punching|kicking|attacking|stabbing|slapping|assaulting|strangling|choking) "
        r"(me|us|my|him|her|them|someone|somebody|people|a|an)\b",
        r"\bbeing (attacked|beaten|hit|robbed|assaulted|stabbed)\b",
        r"\b(hit|hits|beat|beats|punched|punches|kicked|kicks|attacked|attacks|stabbed|slapped|slaps|assaulted|"
        r"choked|chokes|strangled|pushed|shoved) (me|us)\b",
        r"\b(hit|hits|hitting|beat|beats|beating|kicks|kicked|punches|punched) (our |my |the )?(kids|children|baby|"
        r"son|daughter|wife|mom|mother|sister|friend)\b",
        r"\b(beat|beaten|beats) (me |him |her |us )?up\b", r"\bkeeps? (hitting|beating|punching|kicking)\b",
        r"\b(got|was|were|been|get|getting) (beaten|attacked|stabbed|assaulted|mugged|jumped|robbed|punched)\b",
        r"\b(threw|throwing|throws) (a |an |the )?\w+ at (me|us)\b", r"\bthrowing things\b",
        r"\b(breaking|smashing|throwing) (things|stuff|everything|furniture|dishes)\b",
        r"\bfight(ing)? (outside|now|here|in front|with)\b", r"\bfight (broke|breaking) out\b",
        # threats to kill or hurt
        r"\b(he|she|they|someone|somebody|man|guy|men|guys)( \w+)? (will|'ll|gonna|is going to|are going to|"
        r"wants? to|threaten\w* to) (kill|stab|hurt|beat|shoot) (me|us|my|you)\b",
        r"\b(he|she|they)'ll (kill|stab|hurt|beat|shoot) (me|us|my|you)\b",
        r"\bthreaten(ed|s|ing)? (to kill |to hurt )?(me|us|my)\b", r"\bdeath threat",
        # followed, stalked, chased
        r"\b(following|followed|follows|stalking|stalked|chasing|chased|tailing) (me|us)\b",
        r"\bbeing (followed|stalked|chased)\b", r"\bstalker\b",
        # someone breaking in; locked in
        r"\bbreak(ing|s)? in(to)?\b", r"\btrying to (get|break|come|force (his|their|her) way) in",
        r"\btrying to (open|unlock|force|break|kick) (my|the|our) (door|window)\b",
        r"\b(breaking|kicking|banging on|forcing|smashing) (my|the|our) (door|window)\b",
        r"\bsomeone is (in|at) my (house|door|room)\b", r"\b(locked|locks|locking|lock) (me|us) (in|inside|up)\b",
        # grabbed, dragged, hiding
        r"\bgrab(bed|bing|s)? (me|my|us)\b",
        r"\b(won'?t|wont|doesn'?t) let (me )?go\b(?! (on|to|for|back|abroad|home))",
        r"\b(won'?t|wont|don'?t|doesn'?t) let (me|us) (pass|through|get out)\b", r"\bharass(ing|ed)? (me|us)\b",
        r"\b(pulling|dragging|dragged|pulled) (me|us)\b",
        r"\b(i'?m|i am|we'?re|we are) hiding (in|from (him|them|a man|the man|that man))\b",
        # robbed, with the robber still near
        r"\brob(bed|bing|bery|ber)\b", r"\bmugg(ed|ing|er)\b", r"\bsnatch(ed)?\b", r"\bkidnap",
        r"\bstole my \w+ and (is )?(running|ran)\b",
        r"\b(stole|stolen|snatched|took my|robbed|thief|robber)\b.{0,60}\bstill (around|nearby|here|near|there|"
        r"outside|close)\b",
        # broken English: base forms ("boss kick me", "slap me every day"), pushing, forcing
        r"\b(slap|punch|kick|beat|hit|choke|push|shove)( and \w+)? (me|us)\b", r"\b(pushing|shoving|chasing) (me|us)\b",
        r"\b(force|forced|forcing) (me|us)\b(?! to (pay|work|sign|quit|leave|resign))",
        r"^(pls |please |plz )?sos\b|\bsos (pls|please|help)\b",
    ),
    Urgency.FIRE: (
        rf"\b(there'?s|there is|a|house|room|building|kitchen|apartment) (is )?(on )?fire\b{_NOT_FIRE_THING}",
        r"\bon fire\b", rf"\bfire (in|at|on)\b(?! (the )?{_FIRE_THINGS})",
        r"\b(factory|building|house|apartment|kitchen|car|room|office|dorm|hallway|warehouse|shop|store|"
        rf"restaurant|forest|bus|truck|electrical|grease) fire\b{_NOT_FIRE_THING}",
        r"\bfire,? help\b", r"\bhelp,? fire\b", r"\bfire ?!",
        rf"^fire\b{_NOT_FIRE_THING}(?! (in|at) (the )?\w+ (station|department))",
        # things catching fire, flames, sparks, an explosion
        r"\b(caught|catching|catch|catches) (on )?fire\b", r"\bflames?\b", r"\bsparks\b", r"\bsparking\b",
        r"\bburning\b(?! (sensation|pain|feeling|eyes|throat|when|while))", r"\bexplo(ded|sion)\b",
        r"\b(outlet|socket|plug|wire|wires|heater|machine|charger|battery|engine|stove) (is )?(smoking|sparking)\b",
        # smoke in the room (not a neighbour's cigarettes)
        r"^(?!.*(cigarett|tobacco|smoker|vaping|complain))(.*)\bsmoke (is |was )?(everywhere|in|coming|filling|under|"
        r"pouring|out)\b", r"\b(full|filled|filling) (up )?with smoke",
        r"\bsmell(s|ing|ed)? (of |like )?(smoke|burning|gas)\b",
        r"\b(fire|smoke) alarm (is )?(going off|ringing|sounding|went off)\b",
        # a gas leak or smell
        r"\bgas (leak|leaks|leaking|smell|is leaking|hissing)\b", r"\bleaking gas\b",
        r"\bgas\b.{0,25}\bleak", r"\bleak\w*.{0,15}\bgas\b",
        r"\bblack smoke\b", r"\bsmoke\b.{0,25}\b(can'?t|cannot) (go|get out|breathe|see)\b",
        r"\bgas\b.{0,20}\bhiss", r"\bhiss\w*.{0,20}\bgas\b",
        r"\b(filling|filled|full) (up )?(w|with|of) smoke\b", r"\bgas (is )?leak", r"\b(it'?s|its) leaking\b",
        r"\bsmells? (of |like )?gas\b",
    ),
    Urgency.MEDICAL: (
        r"\bchest pain\b", r"\bpain in (my|his|her|the) chest\b", r"\bheart attack\b", r"\bnot breathing\b",
        r"\bcan'?t breathe\b", r"\bcannot breathe\b", r"\bstopped breathing\b", r"\bunconscious\b",
        r"\bpassed out\b", r"\bfainted\b", r"\bnot waking\b", r"\bwon'?t wake\b",
        r"\b(cant|can'?t|cannot|couldn'?t) (wake|waking)\b", r"\bseizure", r"\bconvuls",
        r"\bstroke\b", r"\boverdose\b", r"\bchoking\b", r"\bcollapsed\b", r"\b(call|need|send) (an |the )?ambulance\b",
        r"\bhigh fever\b", r"\bfever (is |of |about |around )?(39|40|41)",
        r"\b(39|40|41)(\.\d)? ?(degrees|°c?|c)?( of)? (fever|temp)",
        r"\b(39|40|41)(\.\d)? ?(degrees|°c?)\b", r"\bpoison(ed|ing)?\b", r"\bnot responding\b", r"\bnot moving\b",
        r"\bturning blue\b", r"\b(lips|face) (are |is )?(turning )?blue\b", r"\b(throat|tongue) (is )?swell",
        r"\banaphyla", r"\ballergic reaction\b", r"\belectrocuted\b", r"\bdrown(ing|ed)\b",
        # stroke: a drooping face, slurred speech, a numb arm
        r"\b(face|mouth|smile) (is )?(drooping|droops|twisted|crooked|numb|droopy)\b", r"\bdroop", r"\bslurr",
        r"\bcan'?t (talk|speak) (properly|clearly|right|normally)\b",
        r"\b(arm|leg|side|hand) (is |went |goes )?(numb|paralyz\w*|dead|not moving)\b",
        r"\bcan'?t (move|lift|feel) (his|her|my|the|one) (arm|leg|side|hand)\b", r"\bone side of (his|her|the|my)",
        r"\bface\b.{0,20}\b(droop\w*|crooked|numb|twisted)\b",
        r"\bface\b.{0,20}\b(weird|strange|odd|funny)\b.{0,20}\b(one|left|right) side\b",
        r"\b(can'?t|cannot|unable to|couldn'?t) (speak|talk)\b(?! (korean|english|russian|vietnamese|well|much|to))"
        r".{0,50}\b(face|arm|leg|mouth)\b",
        r"\b(face|arm|leg|mouth)\b.{0,50}\b(can'?t|cannot|unable to|couldn'?t) (speak|talk)\b",
        # poisoning: drank bleach or chemicals, swallowed pills or a battery
        r"\b(drank|drunk|swallowed|ate|eaten|drinking|swallowing)\b.{0,25}\b(bleach|detergent|cleaner|cleaning|"
        r"chemicals?|poison|pesticide|antifreeze|gasoline|petrol|pills?|tablets?|capsules?|pods?|batter(y|ies)|"
        r"magnets?|coins?|dishwasher|laundry)\b",
        r"\b(baby|toddler|kid|child|son|daughter|boy|girl)\b.{0,15}\bswallowed\b(?! (some |the )?(milk|water|food|"
        r"wrong))",
        r"\btook (all|too many|a lot of|lots of|a whole bottle of|the whole bottle of|many) (\w+ )?(pills|tablets|"
        r"meds|medicine)\b",
        # heavy bleeding, broken bones, a fall, hit by a vehicle
        r"\bbleeding (a lot|alot|heavily|badly|won'?t stop|wont stop|so much|everywhere|profusely|non ?stop|from)",
        r"\bbleeding (very |so |too )?(much|bad|heavy)\b",
        r"\b(stuck|caught|trapped) in (a |the )?(machine|press|conveyor)",
        r"\b(hand|finger|leg|foot|arm|head) (is |was |got )?crushed\b",
        r"\bcrushed (his|her|my) (hand|finger|leg|foot|arm)\b",
        r"\b(body|arms?|legs?) (is |are )?(jerking|twitching)\b", r"\bincoherent\b", r"\bdisoriented\b",
        r"\bconfused and (sweating|not)",
        r"\b(vomit\w*|throw\w* up|threw up|puk\w*|cough\w*|spit\w*) (up )?(a lot of |so much |much )?blood\b",
        r"\bblood (in|from) (his|her|my|the) (vomit|mouth)\b", r"\bblack (vomit|stool|poo)\b",
        r"\bblood (won'?t|wont|doesn'?t|does not|isn'?t|is not|not|can'?t) stop", r"\blots? of blood\b",
        r"\b(so much|too much|covered in|losing) (\w+ )?blood\b", r"\bblood everywhere\b",
        r"\bbroken (bone|leg|arm|neck|back|hip|ankle|ribs?)\b",
        r"\b(leg|arm|bone|neck|back|hip|ankle|wrist|ribs?) (is |are )?(broken|fractured)\b", r"\bbone (is )?sticking",
        r"\bfracture", r"\bhit by a (car|truck|bus|motorbike|taxi)\b",
        r"\bfell (from|off) (a |the |my )?(ladder|roof|scaffold\w*|building|balcony|window|stairs|height|motorbike)",
        r"\b(fall|fell|fallen|falled|collaps\w*)\b.{0,25}\b(not|no|can'?t|won'?t|dont|don'?t|doesn'?t) "
        r"(wake|waking|move|moving|breath|respond|get up)",
        r"\bfever\b.{0,15}\b(39|40|41)\b|\b(39|40|41)(\.\d)? ?(degree|degrees|°c?|c)\b.{0,10}\bfever\b",
        r"\bpregnan\w*\b.{0,40}\bbleed|\bbleed\w*.{0,40}\bpregnan",
        r"\b(drink|drank|drunk|swallow\w*|ate|eat)\b.{0,15}\b(cleaning|bleach|detergent|chemical|poison|soap)",
        r"\bshaking (whole|all|his|her|the) body\b|\b(whole )?body (is )?shaking\b.{0,20}\beyes\b|\beyes rolling\b",
        r"\b(is ?n'?t|not|cant|can'?t|stopped|stop) breath", r"\blips? (going |turning |are |is )?(blue|purple)\b",
        r"\bturning (blue|gr[ae]y|purple)\b", r"\bfoam\w* (from|at|out of) (the |his |her )?mouth\b", r"\bgasping\b",
        r"\bshaking on the (ground|floor)\b",
    ),
    Urgency.OVERSTAY: (
        r"\bvisa (has |is |was |already |just )?(expired|over|ran out|run out|ended|finished|lapsed)\b",
        r"\b(expired|overdue) (visa|arc|residence card|alien registration|registration card|id card|stay)\b",
        r"\b(arc|residence card|alien registration card|registration card|alien card|foreigner card|id card|permit|"
        r"stay|stay period|"
        r"period of stay|[a-h]-?\d{1,2}( visa)?) (has |is |was |already )*(expired|ended|ran out|run out|is over|"
        r"finished)\b",
        r"\b(forgot|forget|didn'?t|did not|never) (to )?(extend|renew)(ed)? (my |the |his |her )?(visa|arc|stay|"
        r"residence)",
        r"\boverstay", r"\billegal(ly)? (stay|staying|here|in korea|immigrant|alien|worker|resident|status|now)\b",
        r"\b(i'?m|i am|we are|we'?re|he is|he'?s|she is|she'?s|they are|am|now|became|become) (an )?illegal\b",
        r"\bstaying illegally\b", r"\bundocumented\b", r"\bno visa anymore\b",
        r"\b(have|has|with) no (visa|papers|documents|legal status)\b",
        r"\bwithout (a )?(visa|papers|status|legal status)\b",
        r"\b(afraid|scared) of (the )?(immigration|crackdown|raid|deport)", r"\bimmigration raid\b",
        r"\bcrackdown\b",
        r"\b(visa|arc|stay|permit|[a-h]-?\d{1,2})\b.{0,12}\bexpire[ds]? (yesterday|already|last (week|month)|"
        r"\d+ (days?|weeks?|months?) ago)\b",
        r"\b(stay|visa|permit)( period)? (end|ended|finish|finished|is over|over)\b.{0,30}\bstill (here|in korea)\b",
        r"\barc( date| expiry| expiration)? (passed|expired|ran out)\b.{0,30}"
        r"\b(didn'?t|did not|never|not) (extend|renew)",
        r"\b(is|am|are|been|being|now|o|la|dang o) 불법",
    ),
}

# Russian, in Cyrillic and in Latin letters, on lower-cased text with ё as е.
_RU: dict[Urgency, tuple[str, ...]] = {
    Urgency.SUICIDE: (
        r"покончить (с с[оа]бой|со всем|с жизнью)", r"суицид", r"самоубийств", r"не хочу (больше )?ж[иы]ть",
        r"ж[иы]ть (больше )?не хочу", r"хочу (умереть|сдохнуть|уйти из жизни)", r"уйти из жизни",
        r"свести сч[её]ты с жизнью", r"убить себя", r"уб[ьъ][её]т себя", r"ж[иы]ть не хочется",
        r"повеси(ться|лся|лась)", r"нет смысла ж[иы]ть", r"(ж[иы]ть|жизни) (\w+ )?незачем", r"незачем ж[иы]ть",
        r"не вижу (больше |никакого )?смысла", r"(закончилось|кончилось|прекратилось) навсегда",
        r"смысла (ж[иы]ть|в жизни) нет", r"лучше (бы )?(мне |я )?(умереть|умерла|умер|сдохнуть)",
        r"чтобы (умереть|не проснуться|покончить)", r"(лучше|легче) без меня",
        # goodbye messages
        r"(написал|написала|пишет|прислал|прислала)\w* (\w+ ){0,2}прощай", r"прощай(те)? (все|всем|навсегда|мир|мама)",
        r"всем прощай", r"прощай(те)?.{0,30}(не могу|устал|больше не)",
        # the means
        r"(порезал|порезала|режу|резала|резал|вскрыл|вскрыла|вскрыть)\w* (себе )?(руки|вены|запясть)",
        r"(накопил|накопила|собрал|собрала|коплю)\w* таблет",
        r"(выпить|выпью|принять|приму|проглотить|наглотаться) (все|всю|разом|сразу) (свои |мои )?(таблетки|пачку|"
        r"упаковку)",
        r"(записк|письм)\w*.{0,30}прощ", r"таблетки\w* (все )?сразу",
        r"(прыгн|спрыгн|сброш)\w* (с|из) (крыши|моста|окна|балкона|этажа)", r"сто(ю|ит) на (мосту|крыше|краю)",
        r"\bne (hochu|khochu|xochu) (bolshe )?(zhit|jit)\b", r"\bzhit ne (hochetsya|hochu)\b",
        r"\b(hochu|khochu) umeret\b", r"\bpokonchit s soboj?\b",
        r"себя (убить|уб[ьъ][её]т|порешить)", r"зачем (мне |нам )?(вообще )?ж[иы]ть", r"\b(ubit|ubet|ubyet) sebya\b",
        r"\bzachem (mne )?(voobshe |voobshche )?zhit\b", r"\bne (hochet|khochet) (bolshe )?zhit\b",
        r"\bpokonchit s sob", r"исчезнуть навсегда", r"прощальн\w* (письмо|записк|сообщени)",
        r"таблетки (все |уже )?(собрал|накопил|купил)", r"уснуть и (больше )?не просыпаться",
    ),
    Urgency.DOMESTIC_VIOLENCE: (
        r"домашн\w* насили",
        r"(б[ьъ][её]т|избива\w*|душит|изводит|унижает|издевается)( \w+)? (меня )?(уже|каждый|постоянно|регулярно|"
        r"годами|всегда|опять|снова)", r"(б[ьъ][её]т|избивает|ударил) (меня )?(муж|жена)",
        r"\b(муж|сожитель|свекровь|свекор)\b (\w+ ){0,2}(б[ьъ][её]т|избива|ударил|душит|душил)",
        r"(сбежал|убежал|ушл|ушел|ушёл)\w* от (мужа|сожителя|парня)",
        r"(уб[ьъ][её]т|убить|приб[ьъ][её]т|убьют|зарежет)\w*.{0,20}если (я )?(уйду|разведусь|уеду|сбегу|расскажу|уйти)",
        r"если (я )?(уйду|разведусь|уеду|сбегу|расскажу).{0,20}(уб[ьъ][её]т|убить|приб[ьъ][её]т|убьют|зарежет)",
        # drunk again, and hurt her, before the children
        r"(опять|снова) (\w+ )?(напился|пьяный|пьян)\w*.{0,40}(разбил мне|ударил|избил|бь[её]т|толкн|душ)",
        r"(разбил мне|ударил меня|избил меня|бь[её]т меня).{0,40}дети (видели|видят|плачут)",
        r"\b(zhena|жена) (koreitsa|корейца)\b.{0,30}\b(b'?et|бь[её]т|бил)",
        r"\b(muzh|muj)\b.{0,15}\b(zabral|otobral|spryatal)\w* (moi |moj |moy )?(pasport|arc|dokument)",
        r"(супруг|муж|сожитель)\w*.{0,40}(телефон отнял|отнял телефон|никуда не (пуска|выпуска))",
        r"(супруг|муж|сожитель)\w* (грозит|угрожает|грозится) (сдать|выслать|депортир|отправить)",
    ),
    Urgency.VIOLENCE: (
        # beaten, hit, attacked ("мужик", a man, is not "муж")
        r"б[ьъ][её]т (меня|нас|жену|мужа|ребенка|его|её|ее|детей|друга)", r"\bб[ьъ]ют\b",
        r"(меня|нас) (\w+ ){0,3}б[ьъ][её]т",
        r"избива", r"избил", r"(ударил|ударила|ударили|толкнул|пнул|побил|побили)\w* (меня|нас|его|ее|её|друга)",
        r"меня (\w+ )?(ударил|избил|побил|схватил|тащ)", r"напал[аи]?\b", r"нападени", r"набросил",
        r"кидается", r"драк[аеиу]\b", r"(подним|поднял|поднима)\w* (на меня )?руку", r"душ(ил|ит|ат|или|ила)\b",
        r"задуш",
        # threats (not to fire her or to call the police)
        r"угрожа\w* (ножом|убить|убийством|мне|меня|нам|расправ)",
        r"угрожа(?!\w* (\w+ )?(уволи|увольн|депорт|штраф|высылк|выдвор|суд|полици|миграц|не заплат|зарплат))",
        r"(уб[ьъ][её]т|убьют|зарежу|зарежет|приб[ьъ][её]т|прикончит) (меня|нас|тебя)",
        r"(хочет|грозит|грозится|обещает) (меня )?(убить|зарезать)",
        # followed
        r"преследу", r"(ид[её]т|ед[её]т|гонится|гонятся|следит|следят|бежит|ходит|ходят) за мной",
        r"за мной (\w+ ){0,3}(ид[её]т|ед[её]т|гонится|гонятся|следит|следят|бежит|ходит|ходят|увязался)",
        # breaking in; locked in; grabbed
        r"лом(ит|ят)(ся|сь|ься)\b|(выломать|выбить|выбивает|выбивают|ломает|ломают) двер",
        r"вломил|вломят|вломиться|(пытается|пытаются|хочет|хотят) (влезть|залезть|проникнуть)",
        r"лез(ет|ут) в (окно|дверь|квартиру|дом|комнату)",
        r"запер(ла|ли)?\b|заперт|закрыл\w* меня|держит (меня )?взаперти",
        r"схват(ил|ить|ят|ит|или)", r"\bтащ(ат|ит|или)\b", r"не (дают|дает|даёт) (мне )?пройти",
        r"пристает|пристаёт|домогается",
        # robbed, with the thief still near
        r"грабят|ограбил|ограбили|грабител|разбой",
        r"(вырвал|выхватил|отобрал|отняли|забрали)\w* (сумку|телефон|кошел)",
        r"(украл|укра|вор|стащил|вырвал|грабител).{0,40}(еще|ещё|до сих пор|всё ещё|все еще) (рядом|здесь|тут)",
        r"спасите", r"в опасности", r"вызовите полицию",
        # in Latin letters
        r"\b(menya|nas) (\w+ )?(bjut|byut|b'yut|biut|bjet|byot|bet|b'et|izbili|bili)\b",
        r"\b(bjut|byut|b'yut|bjet|byot|b'et|bet|izbil|izbivaet|udaril|dushil|dushit) (menya|nas)\b",
        r"\bnapali\b", r"\bograbili\b", r"\bspasite\b",
        r"\blom(it|yat)(sya|sja)\b", r"\b(ubyu|ubju)\b", r"\bgrabyat\b", r"\bzaper(la|li)?\b", r"\bne vypuskae",
        r"(сумку|телефон|кошел\w*) (\w+ )?(вырвал|выхватил|отобрал|отняли|забрали)",
        r"ударил\w* (\w+ )?(по лицу|по голове|в лицо|в живот|кулаком|ногой)",
        r"разбил\w* (мне |ему |ей )?(губу|нос|лицо|голову)",
        r"(сказал|грозит|грозится|обещал|орет|орёт)\w*,? (что )?(уб[ьъ][её]т|убьют|приб[ьъ][её]т|зарежет)",
        r"толкнул\w* (меня|и сказал|и ударил)|(сегодня|только что) толкнул",
        r"бь[её]т (\w+ )?ногами|пина(ют|ет)\b|избива(ют|ет)\b", r"\b(presleduet|преследует) (menya|меня)\b",
        r"\b(menya|меня) (presleduet|преследует)",
        r"\b(napal|напал)\w* na menya\b|напал\w* на меня", r"отбира(ют|ет) (телефон|деньги|сумк)", r"окружили нас",
        r"\b(бил|била|избил|избила|ударил|ударила) меня\b",
    ),
    Urgency.FIRE: (
        r"\bп[ао]ж[ао]р(а|е|ом|ы|ище)?\b", r"\bгорит\b", r"\bгорим\b", r"\bгорят\b", r"загорел", r"подожг",
        r"сгорел", r"в огне", r"\bогонь\b", r"\bпламя\b", r"\bискр(ы|ит|ят|а)\b",
        # smoke (not cigarettes, not the smoke detector)
        r"^(?!.*(сигарет|курит|курят|куре|табак))(.*)(?<!датчик )(?<!датчика )(?<!датчике )(?<!датчиком )"
        r"\bдым(а|у|ом|ит|ят|ится)?\b", r"задымл",
        # gas
        r"газ\w*.{0,12}(пахн|воня|утек|утечк|шипит|трав)", r"(пахн|воня|утечк|утек|запах)\w*.{0,10}\bгаз",
        r"\b(pojar|pozhar|pozar)\b", r"\bgorit\b", r"\bgorim\b", r"\b(zapah gaza|pahnet gazom)\b",
        r"\bzapah dyma\b", r"запах дыма", r"утечк\w*", r"\bшипит\b", r"пропан", r"(пахнет|воняет) газом",
        r"вспыхнул",
    ),
    Urgency.MEDICAL: (
        r"бол\w* в груди", r"болит (в )?груд",
        r"(давит|жж[её]т|сжимает|колет) (в )?груд|в груди (давит|жж[её]т|сжимает)",
        r"груд\w*( \w+)? болит", r"сердечн\w* приступ", r"инфаркт", r"не д[ыи]ш",
        r"задыха", r"без с[оа]знан", r"потерял\w* с[оа]знан", r"(упал|упала)\w* в обморок", r"обморок",
        r"не приходит в себя", r"не просыпа", r"судорог", r"инсульт", r"приступ (эпилепс|астм)", r"эпилепс",
        r"высок\w* температур", r"температур\w* (под )?(39|40|41)", r"посинел", r"синеет", r"ударило током",
        r"(вызвать|вызовите|вызови|нужна|вызвали) скор", r"\bскорую\b",
        r"не двига", r"не реагиру(ет|ют)(?! на (письм|звонк|жалоб|сообщен|просьб|заявлен))",
        r"плохо с сердцем", r"(болит|схватило|прихватило) сердце", r"сердце (сильно )?(болит|схватило|прихватило)",
        # stroke
        r"перекосил", r"(рука|нога|лицо|половина тела|пол лица) (\w+ )?(не двигается|онемела|онемело|немеет|"
        r"отнялась|не слушается)", r"(онемел|немеет|отнял)\w* (рука|нога|лицо|половина)",
        r"не (может|смог|смогла|мог|могла) (нормально |внятно )?говорить(?! по)", r"речь (нарушена|невнятн|спутан)",
        # poisoning
        r"отравил", r"отравлени", r"проглотил", r"наглотал",
        r"выпил\w*.{0,25}(хими|отбелив|хлор|белизн|уксус|кислот|щелоч|растворител|бензин|антифриз|\bяд|отрав|"
        r"моющ|жидкост)",
        r"(принял|приняла|приняли|выпила|выпил|наглотал|проглотил|съел)\w* (\w+ )?(все|много|пачку|упаковку|горсть) "
        r"(\w+ )?(таблет|лекарств)",
        # bleeding, broken bones, a fall, an accident
        r"зажало|придавило|затянуло в (станок|машину)", r"(тело|тельце) д[её]ргается|д[её]ргается (все|всё)? ?тело",
        r"трясет\w* (все|всё|тело)", r"путается(?! в (документ|бумаг|адрес|дорог))|бредит|заговаривается",
        r"(рв[её]т|вырвало|рвота|кашля\w*|харка\w*|отхаркива\w*) (\w+ )?кровь|кровью (рв|вырв|кашля)|рвота с кровью",
        r"кровотечени", r"много крови", r"кровь (не останавлива|хлещ|льется|течет)", r"(весь|вся|все) в крови",
        r"истекает кровью", r"перелом", r"сломал\w* (ногу|руку|шею|позвоночник|ребр|кость|бедро)", r"кость торчит",
        r"упал\w*.{0,30}не (вста|двига|отвеча|дыш|шевел)", r"упал\w* с (лестниц|крыши|высоты|лесов|этажа|балкона)",
        r"сбил\w* (машин|автобус)|(машина|автобус) сбил",
        r"\bne (dyshit|dishit|dyshat)\b", r"\bploho s serd", r"\bposinel", r"\bbez soznaniya\b", r"\bskoru(yu|ju)\b",
        r"губ\w* (\w+ )?(синие|синеют|посинели)|синие губы", r"пен\w* (изо|из|у) рт",
        r"(трудно|тяжело|не может|не могу) (\w+ )?дышать|дышать (\w+ )?(трудно|тяжело|не может|не могу)",
        r"(лицо|горло|губы|язык)\w* (\w+ )?(распух|опух|отек|отёк)|(распухл|опухл|отекл)\w* (лицо|горло)",
        r"беременн\w*.{0,40}кров|кров\w*.{0,40}беременн",
        r"выпил\w*.{0,25}средств\w* (для|от)",
        r"\bne prihodit v seb(ya|ja)\b", r"\bbez soznan", r"\btemp\w* (pod )?(39|40|41)\b",
        r"\bupal\w*.{0,30}\bne (vsta|dvigaet|dyshit|otvecha|prihodit)", r"\b(trudno|tyazhelo) dyshat",
        r"\bv grudi davit\b",
        r"(температур\w*|temperatur\w*) (под |pod )?(39|40|41)|\b(39|40|41)(,\d)? (градус|температур)",
        r"\b(vypil|выпил)\w* (kakuyu[- ]to |какую[- ]то )?(himi|химию|химик|отрав)",
        r"кровь не останавлива|не останавлива\w*.{0,30}(кров|красн)|\bporezal\w* silno\b|порезал\w* сильно",
    ),
    Urgency.OVERSTAY: (
        r"виз\w* (уже )?(истекла|истек|кончилась|закончилась|пр[ао]срочена|пр[ао]срочилась|вышла)",
        r"(виз(?!ит)|карт\w* иностранц|айди|\bid\b|\barc\b|\b[a-h]-?\d{1,2}\b|срок\w* (пребывания|визы|карты))"
        # (not "E-9, контракт закончился": a contract that ended is no expired visa)
        r"(?:(?!контракт|договор|работ|учеб|семестр|курс).){0,20}"
        r"(истекл|истек\b|ист[её]к\b|кончил|закончил|пр[ао]сроч|вышел|вышла|прош[её]л)",
        r"(истек|ист[её]к|кончил|закончил|вышел|прош[её]л)\w* срок (визы|пребывания)",
        r"(истекла|закончилась|кончилась|пр[ао]срочилась|вышла) (\w+ )?виза\b", r"пр[ао]сроч\w* виз",
        r"после (окончания|истечения) (срока )?визы", r"не продлил\w* (визу|вовремя)",
        r"забыл\w* продлить (визу|карту|срок)",
        r"нелегал", r"незаконно (нахожусь|живу|остал)", r"облав",
        r"(я|мы|муж|жена|он|она|сын|дочь|живу|живем|живут|остал\w*|нахожусь|находимся) без (визы|документов|"
        r"(легального )?статуса)",
        r"нет (визы|документов) (уже|давно|с )",
        r"(у меня|у нас|у него|у нее|у неё|у мужа|у жены|у сына|у дочери) (уже )?нет (визы|документов)",
        r"\b(vizu|vizy) prosroch", r"\bviza (istekla|zakonchilas|konchilas|prosrochena)\b", r"\bnelegal",
        r"(비자|체류기간|외국인등록증).{0,10}(истекл|истек\b|ист[её]к\b|кончил|закончил|пр[ао]сроч|вышл|вышел)",
        r"пр[ао]сроч\w* (\w+ )?([a-h]-?\d{1,2}\b|визу|карту|срок)",
        r"\bsrok\w* (\w+ ){0,2}(vyshel|konchilsya|konchilsja|istek|zakonchilsya|proshel)\b",
        r"\b(vizu|vizy) ne prodlil", r"\bviz\w*.{0,20}\b(istekla|vyshla|konchilas|zakonchilas)\b",
        r"\bпросрочил\w* (\S+ )?(визу|비자|visa|arc)", r"туристическ\w*.{0,30}остал\w*",
    ),
}

# Vietnamese without its diacritics (folded).
_VI: dict[Urgency, tuple[str, ...]] = {
    Urgency.SUICIDE: (
        r"(?<!met )(?<!doi )(?<!nong )(?<!lanh )(?<!chan )(?<!cuoi )(?<!ngu )\bmuon chet\b",
        r"\b(khong|ko|k|hong|chang) (muon|thiet|con muon) song\b", r"\btu sat\b",
        r"\bket lieu\b", r"\b(dinh|muon|se|nghi den|nghi toi|chuyen|viec) tu tu\b",
        rf"\bsong {_KO} (con )?(y nghia|nghia ly)\b", r"\bsong vo nghia\b", r"\bsong de lam (gi|chi)\b",
        rf"\b({_KO}|chang) con (ly do|li do) (de |gi de )?song\b", r"\bchet (di )?cho xong\b",
        r"\bket thuc (tat ca|cuoc doi|cuoc song|mang song|moi thu|het)\b",
        # goodbye messages
        r"\btam biet (moi nguoi|tat ca|the gioi|mai mai|ca nha)\b",
        r"\btam biet\b.{0,30}\b(tat may|khong (nghe|lien lac|tra loi)|mai mai)\b",
        r"\b(xin loi|tuyet menh)\b.{0,20}\btam biet\b",
        r"\b(khong|ko) (thay|con) (\w+ )?y nghia\b", r"\b(dung lai|bien mat|ngu|bien di) mai mai\b",
        r"\bthu tuyet menh\b",
        # the means: cutting oneself, pills saved up, a roof or a bridge
        r"\b(rach|cat) (co )?tay (tu|minh)\b", r"\brach (co )?tay\b", r"\bcat co tay\b",
        r"\btu (cat|rach|lam dau|hanh ha|hai) (minh|tay|ban than)?\b", r"\btu lam dau\b",
        r"\b(tich|gom|de danh|mua san) (\w+ ){0,2}thuoc\b", r"\bda mua thuoc ngu\b",
        r"\buong (het|ca lo|ca vi|ca hop) (\w+ )?thuoc\b",
        r"\bnhay (tu|xuong|khoi) (\w+ )?(san thuong|cau|nha|lau|toa|noc|cua so|ban cong)\b",
        r"\b(muon|dinh|se|sap) nhay (cau|lau|song|xuong)\b",
        r"\b(dung|ngoi|dang o) tren (cau|san thuong|noc nha|mai nha|lan can)\b",
        r"(?<!may )(?<!doa )(?<!bi )\b(cat|rach) tay\b(?! (e|em|toi|tui|anh|chi)\b)", r"\bmuon bien mat\b",
        r"\b(khong|ko|k) ai can (e|em|toi|minh)\b.{0,30}\bbien mat\b",
        r"\bvinh biet\b", r"\bsong (de )?lam (j|gi|chi) nua\b",
        r"\bngu\b.{0,20}\b(ko|khong|k) (bao gio )?(day|thuc day|tinh day)( nua| lai)?\b",
        r"\b(khong|ko|k) co (e|em|toi|tui)\b.{0,25}\b(nhe nhom|tot hon|vui hon|nhe nhang)\b",
    ),
    Urgency.DOMESTIC_VIOLENCE: (
        r"\bbao luc gia dinh\b", r"\bchong\b.{0,30}\b(danh|dap|bop co|de doa|duoi)\b", r"\b(bi|bj) chong (danh|dap)\b",
        # a threat to kill her if she leaves
        r"\bneu (em|toi|minh|tui|vo) (\w+ ){0,2}(bo di|bo|ly hon|ly di|tron|ve nuoc|di|bao cong an|bao canh sat|"
        r"to cao)\b.{0,30}\b(giet|danh)", r"\b(tron|bo tron|chay tron) (khoi )?(nha )?chong\b",
        r"\b(ck|chong|bo chong|me chong)\b.{0,40}\b(bao|to cao|doa)\b.{0,25}\b(xuat nhap canh|truc xuat|cong an)\b",
        r"\b(bo chong|me chong|chong|ck)\b.{0,15}\bxo (e|em|toi)\b",
    ),
    Urgency.VIOLENCE: (
        # hit, beaten ("đánh giá", to rate, is no blow)
        r"\bdanh (toi|em|minh|tui|nguoi|ban|con|chung|chi|anh)\b",
        r"\b(bi|bj) (\w+ ){0,3}danh\b(?! (gia|thue|so|dau|rot|mat|cap|bai|roi|thuc))", r"\bdanh nhau\b",
        r"\bdanh (hoi dong|tiep|hoai|lien tuc)\b", r"\b(dam|dap|da|tat) (vao )?(mat |bung |nguoi )?(toi|em|tui)\b",
        r"\bnem (\w+ ){0,2}vao (toi|em|tui|nguoi)\b", r"\bbop co\b", r"\bbao hanh (toi|em|vo|con|chung|minh|tui)\b",
        # threats
        r"\bde doa\b", r"\bdoa (giet|danh|dam|chem)\b", r"\bgiet (toi|em|minh|tui|chet|may|het)\b",
        r"\b(doi|se|muon|dinh) giet\b",
        # robbed, snatched
        r"\bcuop\b", r"\b(bi|bj) giat\b", r"\bgiat (dien thoai|tui|day chuyen|vi|do|xe)\b", r"\bbat coc\b",
        # followed ("theo em", in my opinion, needs someone doing it)
        r"\b(dang|cu|bam|di|chay|duoi|lai|ai|nguoi|xe) theo (sau )?(toi|em|minh|tui|chung em)\b",
        r"\b(bi|bj) (\w+ ){0,4}theo (sau|doi|duoi)\b", r"\bnguoi la (\w+ )?theo\b", r"\brinh rap\b",
        r"\btheo doi (toi|em|tui)\b",
        # breaking in; locked in; grabbed
        r"\b(pha|dap|cay|be|dap pha) cua\b", r"\bxong vao\b", r"\bdot nhap\b",
        r"\b(ke la|nguoi la|ke gian|ke trom|trom)\b.{0,20}\b(vao|vo|o trong|truoc|trong) (nha|phong|cua)\b",
        r"\b(nhot|khoa cua nhot) (toi|em|minh|tui|me con)\b",
        r"\b(nam|tum|giat|keo) (toc|ao|tay) (toi|em|tui)\b", r"\bkeo (toi|em|tui) di\b",
        r"\bgoi canh sat\b", r"\bchan duong\b",
        r"\bdap (dau|mat|nguoi|e|em|toi|minh|con|vo|do|do dac|pha)\b", r"\bdoa (dap|danh|giet|chem|dam)\b",
        r"\bcam (dao|chai|gay|keo|bua)\b.{0,20}\b(doa|dam|chem|dap|danh)\b",
        r"\bdanh (e|em|toi|minh|tui|con|vo)\b(?! (may|chu|van|bai|gia|dau|so|son|rang|thuc|vong|co|bong|"
        r"nhau (vui|choi)))",
        r"\bdam vao (mat|mieng|bung|dau|nguoi|mui)\b",
        r"\b(nguoi|ng|thang|ong) la\b.{0,12}\b(di theo|bam theo|theo doi|theo sau)\b",
        r"\b(di|bam) theo (e|em|toi|minh)\b",
        # "no lai dam e" (he punched me again): đấm, a punch
        r"\b(lai |dang )?dam (e|em|toi|minh|tui)\b(?! (cuoi|hoi|nhan|bao|dang))",
        r"\bdoa (cat|chem|danh|giet)\b",
        r"\bcuu (e|em|toi|tui|minh|chi) (voi|vs)\b", r"\b(tat|dam|dap|bop co|xo) (e|em|toi|tui)\b",
        r"\b(dam|danh) nhau\b", r"\btheo (duoi|doi) (e|em|toi|tui)\b",
    ),
    Urgency.FIRE: (
        # "cháy" and "chạy" (to run) are one word without diacritics: only where it can only be a fire
        r"\bhoa hoan\b", r"\bdam chay\b", r"(?<!phong )\bchay (phong|nha|xuong|can ho|chung cu|lon)\b",
        r"\bchay o (cong ty|tang|xuong|nha|chung cu|phong|bep|cho|khu|toa)\b", r"\b(bi|bj) chay\b(?! (mau|nang|hang))",
        r"\bboc (chay|khoi|lua)\b", r"\bchay (roi|to|lon) (cuu|moi nguoi|oi)\b", r"\bchap (dien|chay)\b",
        # a place that is burning ("nha e chay roi!!"; "xuong dang chay ... goi 119")
        r"\b(nha|xuong|phong|bep|ky tuc xa|nha tro)( (e|em|toi|minh|ben canh))? (dang |bi )?chay roi\b",
        r"\b(xuong|nha|phong|bep|cong ty)( (e|em|toi|minh))?( lam)? dang chay\b.{0,40}\b(119|cuu|goi)\b",
        r"\b(toe|bat|ngon|boc) lua\b", r"\blua (chay|boc|lan|bung)\b", r"\bmui khet\b", r"\bkhet let\b",
        r"\bbao chay (keu|reo|hu|bao)\b", r"\bchuong bao chay\b", r"\bno (binh ga|binh gas|tung)\b", r"\bphat no\b",
        # smoke ("khỏi", away, is "khoi" too)
        r"\bkhoi (nhieu|day|bay|den|kin|mu|tran|vao|bu|nghi ngut|trang xoa)\b", r"\b(day|dac|ngap|nhieu) khoi\b",
        r"\bco khoi\b(?! (benh|khong|ko|chua|han|dc|duoc|roi))", r"\b(ngui|thay|mui) (thay )?khoi\b",
        # gas
        r"\bro ri (khi )?ga(s)?\b", r"\b(ga|gas)\b.{0,20}\b(ro ri|bi ro|bi xi)\b", r"\bmui (ga|gas)\b",
        r"\b(ga|gas) (bi )?(ro|xi|ri)\b", r"\bxi (ga|gas)\b",
        r"\b(xuong|nha|phong|cong ty|xe|tiem)( \w+){0,2} dang chay\b",
    ),
    Urgency.MEDICAL: (
        r"\b(nga|te|ngat) (xuong|quy|xiu)\b.{0,25}\b(ko|khong|k) (tinh|day|tho|cu dong|tra loi)\b",
        r"\bgoi (ko|khong|k) (tra loi|tinh|day)\b", r"\bdau dau (kinh khung|du doi|nhu bua bo|khung khiep|qua troi)\b",
        r"\bdau nguc\b", r"\btuc nguc\b", r"\bdau tim\b", r"\bnhoi mau\b", r"\bkho tho\b", r"\bngung tho\b",
        rf"\b{_KO} tho (duoc|dc|nua|noi)\b", r"\bkhong tho\b", r"\btim tai\b", r"\bhoc (xuong|di vat)\b",
        r"\bbat tinh\b", r"\bngat xiu\b", r"\b(bi|bj) ngat\b", r"\bngat (roi|xiu|luon|lim)\b",
        rf"\bgoi (\w+ )?{_KO} (day|tinh)\b", rf"\b{_KO} (tinh day|tinh lai)\b",
        r"\bco giat\b", r"\bgiat giat\b", r"\bsui bot mep\b", r"\bbang huyet\b",
        r"\bket (tay|chan) vao may\b", r"\b(may|xe) (cuon|kep|de|can) (tay|chan|nguoi)\b", r"\bnat (tay|chan)\b",
        r"\bdien giat\b", r"\bsot cao\b", r"\bsot (39|40|41)\b",
        r"\b(goi|can|di) cap cuu\b", r"\bxe cuu thuong\b",
        # stroke
        r"\bdot quy\b", r"\btai bien\b", r"\bmeo (mieng|mom|mat)\b", r"\bmieng (bi )?meo\b",
        r"\b(liet|te|yeu|bi te|bi liet) (mot )?nua nguoi\b", r"\bnua nguoi (ben )?(trai |phai )?(bi )?(liet|te|yeu)\b",
        r"\bnoi (ngong|lap|khong ro|ko ro)\b",
        rf"\b(tay|chan|mot ben) (\w+ )?({_KO} (cu dong|nhuc nhich)|bi te|te liet|bi liet)\b",
        rf"\b{_KO} (cu dong|nhuc nhich)\b",
        # poisoning, swallowing
        r"\bngo doc\b", r"\b(uong|nuot|an) (nham|phai)\b", r"\b(uong|nuot|an) (\w+ ){1,3}nham\b",
        r"\b(uong|nuot)\b (\w+ ){0,3}(nuoc tay|thuoc tay|thuoc diet|thuoc tru sau|thuoc chuot|hoa chat|xang|axit|"
        r"nuoc rua|javel)", r"\bnuot (phai|nham|mat) (\w+ )?(thuoc|pin|dong xu|xu|nam cham|vien|hat)\b",
        r"\bnuot (\w+ )?(pin|dong xu|nam cham)\b", r"\b(con|be|em be|chau|thang be|con be|dua nho)\b.{0,15}\bnuot\b",
        # bleeding ("nhiều màu", many colours, is "nhieu mau" too), broken bones, a fall
        r"\bchay mau (nhieu|khong cam|qua nhieu|rat nhieu|lam|khong ngung|ko ngung|khong dung)\b",
        rf"\bmau (chay|ra)( \w+)? (nhieu|{_KO} (ngung|cam|dung|ngot)|khong ngung|qua nhieu|lam|be bet)\b",
        r"\b(chay|ra|mat) (rat |qua )?nhieu mau\b", r"\bmau me be bet\b", r"\b(non|oi|ho) ra mau\b",
        r"\bgay (chan|tay|xuong|co|lung|suon)\b", r"\b(chan|tay|xuong) (bi )?gay\b", r"\blo xuong\b",
        r"\bnga (tu|xuong|khoi) (\w+ )?(tang|lau|mai|cau thang|tren cao|gian|noc)\b",
        r"\bte (tu|tren|xuong)\b.{0,25}\b(gian giao|tang|mai|cao)\b", r"\bxuong (lo|troi|chia) ra\b",
        r"\b(bi )?ngat (xiu|trong|roi|r)\b|\bbi ngat\b",
    ),
    Urgency.OVERSTAY: (
        r"(?<!sap )\bhet han (visa|vi sa|thi thuc|cu tru|the)\b",
        r"\b(visa|vi sa|thi thuc) (da |bi )?het han\b(?! vao)",
        r"\b(visa|vi sa|thi thuc|the cu tru|cu tru|the nguoi nuoc ngoai|the ngoai kieu|arc|[a-h]-?\d{1,2})\b.{0,16}"
        r"\bhet han( roi| lau| tu| duoc| \d|$| hom qua| thang truoc| nam ngoai| ma)",
        r"\bqua han (visa|vi sa|cu tru|\d+ (thang|nam|ngay))\b", r"\b(visa|vi sa|cu tru|o|o lai) qua han\b",
        r"\b(visa|vi sa) het (tu|roi|lau)\b", r"\b(khong|ko) co tu cach (luu tru|cu tru)\b",
        r"\bbat hop phap\b", r"\bo chui\b", r"\bhet visa\b", r"\b(khong|ko|k) con visa\b", r"\btron o lai\b",
        r"\b(gio|bay gio|hien gio|hien tai) (em |toi )?(khong|ko|k) (co|con) visa\b",
        r"\bbo tron (khoi |ra khoi )?(cong ty|xuong|cho lam|nha may)", r"\b(khong|ko|k) (co |con )?giay to\b(?! gi\b)",
        r"\btruc xuat\b",
        r"\b(visa|비자|the cu tru|thi thuc|giay to)\b.{0,12}\bhet han\b.{0,12}\b(tuan truoc|thang truoc|hom qua|roi|r|"
        r"lau roi|\d+ (ngay|tuan|thang))\b",
        r"\b(visa|비자|the cu tru|giay to|thi thuc)\b.{0,60}\bqua han\b|\bqua han (roi|r)\b",
        r"\bqua han (비자|visa|arc|the cu tru|the)\b", r"\bo lai qua\b",
        r"\b(arc|the cu tru|visa|비자) het (han )?(lau|r|roi)\b",
    ),
}

# Matched on lower-cased, folded text (Vietnamese without diacritics, ё as е).
_LATIN_CYRILLIC: dict[Urgency, re.Pattern[str]] = {
    kind: _any(*_EN[kind], *_RU[kind], *_VI[kind]) for kind in Urgency
}

# Vietnamese words that need their diacritics to be told apart.
_VIETNAMESE_MARKED: dict[Urgency, re.Pattern[str]] = {
    Urgency.SUICIDE: _any(r"tự tử", r"tự sát", r"muốn chết"),
    Urgency.FIRE: _any(r"cháy nhà", r"bị cháy", r"đang cháy", r"cháy rồi", r"có cháy", r"khói(?! thuốc)",
                       r"bốc cháy", r"cháy (ở|lớn|to)", r"đám cháy", r"\blửa\b"),
    Urgency.DOMESTIC_VIOLENCE: _any(r"chồng (tôi |em |mình )?(đánh|đập|bóp cổ|đe dọa|đuổi)"),
    Urgency.VIOLENCE: _any(r"bạo hành"),
    Urgency.MEDICAL: _any(r"hôn mê"),  # "hôn mẹ" is a kiss for mum  # "bảo hành" is a warranty
}

# Matched on Korean with the spaces removed.
_KOREAN: dict[Urgency, re.Pattern[str]] = {
    Urgency.SUICIDE: _any(
        r"죽고싶", r"죽고파", r"자살", r"살기싫", r"살고싶지않", r"그만살고싶", r"목숨을끊", r"죽어버리", r"극단적선택",
        r"스스로목숨", r"(살|살아갈|살아야할|사는)(이유|의미)(가|도)?없", r"사는게의미없", r"살아서뭐해",
        r"(사라지|없어지)고싶", r"나(하나)?없으면\w{0,6}(편|나을|행복|좋을)",
        # "죽겠다" after an adjective is a figure of speech ("배고파 죽겠다", starving)
        r"(?<![아어여워와파퍼겨해려져빠셔])죽겠다(고|는)",
        r"(?<![아어여워와파퍼겨해려져빠셔])죽을(래요|거에요|거예요|거야|게요)",
        r"아무(런)?의미(가|도)?없", r"(그냥|이제|모든걸|모든것을|전부)\w{0,2}다?끝내고싶",
        r"(삶|인생|(?<!학)생)(을)?(끝내|마감)",
        r"(약|수면제|알약)(을|를)?\w{0,2}다먹(을|겠)",
        r"(미안하다|미안해|안녕|잘있어|고마웠)\w{0,8}(쪽지|편지|메모|문자)\w{0,4}(남기|남겼|보내|써)",
        r"유서(?!깊|가깊)", r"자해", r"손목\w{0,3}(그었|긋|그어)", r"목(을)?매", r"뛰어내(리|릴|린|려)", r"투신",
        r"번개탄",
        r"수면제\w{0,4}(모아|모았|다먹|한통|많이|사놨)", r"약(을)?모아(놨|뒀|놓)",
        r"다리위에(있|서있|올라|왔)", r"옥상(에|에서)?(서있|올라왔|왔어)",
        r"ㅈㄱㅅ[ㅇㄷ]", r"(같이|그냥|차라리)\w{0,3}죽(을까|어버릴까|자)",
        r"죽을까\w{0,3}(생각|봐|해|싶)",
        r"(이제|곧)\w{0,2}편해질",
        r"(?<![아어여워와파퍼겨해려져빠셔])죽(는다|겠다|을거)(고|라고|래요|)?(하|해|했|그래|며)",
        r"옥상\w{0,6}(안내려|올라가서|올라갔)",
        r"다끝내려", r"(내가|제가|저만|나만)없어지면", r"없어지면\w{0,6}편할", r"마지막편지",
        r"(안|못)깨어났으면|깨어나지않았으면|(안|못)일어났으면", r"다리위에\w{0,6}서있",
        r"강물\w{0,4}보고있", r"옥상\w{0,6}서있",
    ),
    Urgency.DOMESTIC_VIOLENCE: _any(
        r"가정폭력", r"(남편|아내|와이프|시어머니|시아버지|시댁|배우자|남친|남자친구)\w{0,8}"
                   r"(때려|때리|때렸|폭행|협박|목을조|쫓아냈|위협)", r"(남편|남친|남자친구|배우자)(한테|에게)맞",
        r"(나가면|이혼하면|도망가면|떠나면|신고하면|도망치면)\w{0,6}죽(인|이|여)",
        r"(남편|아내|와이프|시어머니|시아버지|형부|배우자|남친)\w{0,6}(또|매일|맨날|자꾸)?\w{0,6}(술먹고|술마시고)?"
        r"\w{0,4}(물건|그릇|접시|핸드폰|폰)(을|를)?(던져|던지|부숴|부셔|깨)",
        r"(남편|형부|남친|시아버지|시어머니)(한테|에게)\w{0,2}맞(아|았|고)",
    ),
    Urgency.VIOLENCE: _any(
        r"때(려|리|렸)(?!치)", r"폭행", r"맞고있", r"두들겨", r"주먹으로", r"발로(차|찼)", r"밀쳤",
        r"폭력(을)?(써|쓰|휘둘|행사)", r"목(을)?졸", r"(의자|물건|병|컵|접시|돌)(을|를)?(던지|던졌)",
        r"싸움(이)?(났|나서|붙)", r"패싸움",
        r"위협", r"협박", r"죽(인다고|인대|이겠다|일거(야|래|라고)|여버린|여버리겠|여버릴)",
        r"(?<!운동)(?<!노동)(?<!업무)강도", r"날치기", r"소매치기", r"(뺏|빼앗)겼", r"털렸", r"납치",
        r"(누가|누군가|사람이|남자가|차가|계속|자꾸|어떤)\w{0,4}(따라와|따라오|따라왔)", r"쫓아(오|와|왔)",
        r"(저를|나를|날|절)\w{0,3}(잡으려|붙잡|끌고|만지|덮치)", r"못가게(해|막|하)",
        r"(남자|사람|취객|놈|애들)\w{0,6}길(을)?막", r"미행",
        r"스토킹", r"스토커",
        r"누가들어", r"문\w{0,4}(부수|부서|따고|따려|열려고|발로)",
        r"(누가|누군가|모르는사람|남자가|강도가)\w{0,6}들어오려",
        r"침입", r"쳐들어", r"가둬|가뒀|가두|감금",
        r"(팔|손목|머리|옷)\w{0,2}(잡고|잡아|붙잡)", r"안놔|안놓아|끌고가|끌려가",
        r"(안|못)내려(줘|주|줌)", r"문(을)?(잠궜|잠갔|잠궈|잠가)\w{0,4}(안열|못나|안내려|가둬)?", r"못나가게",
        r"(한테|에게)\w{0,2}맞(아서|았어|고있)",
        r"(저를|나를|절|날)\w{0,3}(막|계속|지금)?(패|때리|때려)", r"숨어있", r"ㅅㄹㅈㅅㅇ|ㅅㄹㅈ",
        r"(방|집)에들어와서안나가",
    ),
    Urgency.FIRE: _any(
        r"불(이)?(났|낫)", r"불(이)?나(서|요)", r"불(이)?나써",
        r"연기(가)?\w{0,3}(많이|마니)\w{0,2}(나|들어)",
        r"불이야", r"불(이|에)?붙", r"불타(?!는금)", r"불길", r"불꽃(?!놀이)",
        r"화재(?!경보기|보험|예방|안전|훈련|대피훈련|신고번호)",
        r"(?<!담배)연기(가)?(나|가득|들어|차|올라|새|자욱|피어)",
        r"타고있어", r"타는냄새", r"가스\w{0,2}냄새", r"가스(가)?(새|샌|누출)", r"폭발",
        r"불(이)?\w{0,2}안꺼(져|지|짐)", r"(가스렌지|가스레인지|가스불)\w{0,6}(안꺼|냄새)",
        r"시커먼(거|게|연기)", r"검은연기", r"연기(가)?(가득|꽉|자욱)", r"가스(가)?새", r"가스렌지\w{0,8}(쉭|새)",
        r"새는거같", r"옮겨붙", r"(터져서|터졌)\w{0,10}불",
    ),
    Urgency.MEDICAL: _any(
        r"가슴(이|에|가)?\w{0,4}아(파|프)", r"가슴통증", r"가슴이답답", r"심장마비", r"심장\w{0,3}아(파|프)",
        r"왼팔\w{0,3}저려", r"숨\w{0,3}(안|않|못)쉬", r"숨쉬기힘", r"숨이차", r"호흡곤란", r"(얼굴|입술)(이|가)?파래",
        r"의식이없", r"의식을잃", r"쓰러(졌|져|지셨|짐)", r"기절", r"경련", r"발작", r"횡설수설", r"의식이흐",
        r"기계에\w{0,2}(끼었|끼였|말려|깔렸)", r"(차|트럭|짐|벽|건물|철근|기계)\w{0,2}(에|밑에|아래)?깔렸",
        r"몸(을|이)?\w{0,2}(떨어요|떨려요|떨고있)",
        r"(아이|애기|아기|애)(가)?경기(?!도|장|를보|보)",
        r"안깨어나", r"깨어나지않", r"고열", r"열이(39|40|41)", r"구급차", r"응급상황", r"감전", r"물에빠졌",
        # stroke
        r"뇌졸중", r"얼굴\w{0,4}(마비|돌아갔|비뚤|처졌|처지|일그러)", r"입(이|가)?\w{0,2}(돌아갔|비뚤)",
        r"(한쪽|반쪽|편측)\w{0,6}(마비|안움직|힘이없|감각이없)", r"팔(이|에)?\w{0,3}(마비|안움직|힘이안)",
        r"말(이|을)?(어눌|꼬여)", r"발음이이상", r"갑자기\w{0,6}(말을?못|말이안|못움직|안움직|쓰러|마비)",
        r"말(을)?못하고\w{0,8}(얼굴|팔|다리)", r"(얼굴|팔|다리)\w{0,8}말(을)?못해",
        # poisoning, swallowing
        r"삼켰", r"중독됐",
        r"(락스|세제|표백제|농약|살충제|쥐약|독극물|화학|약품|부동액|세정제|휘발유|배터리|건전지)\w{0,3}(마셨|먹었|삼켰)",
        r"약(을)?\w{0,4}(많이|한통|통째)\w{0,2}(먹었|삼켰)",
        # bleeding ("커피가 많이" is coffee), broken bones, a fall, an accident
        r"(?<!커)피(가|를)?(너무|엄청|계속)?(많이|철철|안멈|안그쳐|멈추지)", r"출혈",
        r"피(를)?\w{0,3}토(해|했|하|함)",
        r"토혈", r"각혈", r"하혈", r"배(가)?\w{0,8}아\w{0,8}피(가)?\w{0,2}(나|흘)",
        r"피(를)?\w{0,2}(토|게워)", r"토(한|했는데|하는데)\w{0,4}피",
        r"뼈(가)?\w{0,3}(나왔|부러|보여|튀어)", r"(뼈|다리|팔|발목|손목|갈비뼈|목|허리)\w{0,3}부러", r"골절",
        r"(차|오토바이|트럭|버스)에치였|치였어", r"사고(가)?(났|나서|당했)", r"(크게|많이|심하게)다쳤", r"추락",
        r"(떨어졌|넘어졌|쓰러졌|다쳤)\w{0,10}(안움직|못움직|움직이지)",
        r"(높은데|공사장|사다리|지붕|계단|옥상|비계)(에서)?\w{0,3}떨어졌",
        r"임신\w{0,10}(피가|하혈|출혈)", r"하혈",
        r"호흡이?없", r"숨(을)?안쉬", r"숨이?멈", r"입술이?(파래|퍼래|보라)",
    ),
    Urgency.OVERSTAY: _any(
        r"비자(가|는|도)?만료(?!일|전|예정|되기|될|되면|되는|돼요|까지|날|기간|안내)", r"비자(가|도)?없어(요|서)",
        r"체류자격(이|도)?없",
        r"비자\w{0,8}(끝났|끝나서|지났|넘었|넘겼|만료(됐|되었|돼서|된))",
        r"체류\w{0,4}(지났|끝났|넘었|만료(됐|되|돼|된))",
        r"([a-h]-?\d{1,2}|비자|체류)\w{0,4}기간(이)?\w{0,2}(끝났|지났|만료됐|만료되었)",
        r"(외국인등록증|등록증|체류카드)\w{0,4}(만료(됐|되었|돼|된)|지났|끝났)", r"오버스테이",
        # "불법이에요?" asks whether something is against the law
        r"불법체류", r"불법(이라|신분|이민|입국|이됐|이되)", r"불법(이에요|이예요|입니다|이야|인데)(?![?])",
        r"(지금|저|나|제가|우리|남편|아내|저는|난|이제)\w{0,2}불법", r"불체",
        r"미등록(이|이라|이에요|이예요|체류|외국인|이주|상태|신분|자|인데)",
        r"서류(가)?없\w{0,10}(추방|단속|잡혀|무서)", r"추방될까", r"(?<!음주)(?<!주차)단속(이|에)?(무서|걸|나올|뜰)",
        r"(기간|기한)\w{0,4}(지났|만료)\w{0,12}(연장못|연장안|연장을못)",
        r"(어제|그제|지난주|벌써|이미)(로|부로)?만료됐",
    ),
}

# Who the resident's partner or in-laws are. Not when the partner is the one who came to harm ("my husband
# was attacked", "chồng em bị đánh"), nor somebody else's ("the neighbour hits his wife"); in Russian the
# husband counts only as the one who acts ("муж бьёт", "мужем"), and "мужик" (a man) is not "муж".
_PARTNER = _any(
    r"(?<!\bhis )(?<!\bher )(?<!\btheir )(?<!neighbor's )(?<!neighbour's )\b(husband|hubby|wife|boyfriend|bf|"
    r"girlfriend|partner|spouse|fiance|ex[- ]?(husband|boyfriend|wife)|(mother|father|sister|brother)[- ]in[- ]law|"
    r"in[- ]laws)\b(?! (was|got|is being|has been|is getting|gets)\b)",
    r"\b(муж|мужем|жена|супруг|супруга|сожитель|сожительница|свекровь|свекор|свекры|бывший|деверь|золовка)\b",
    r"(?<!какой-то )(?<!какой то )(?<!незнакомый )(?<!один )(?<!пьяный )\bпарень\b",
    r"\b(muzh|muj|svekrov|svekor|sozhitel)\b", r"\b(ck|ox|bx)\b",
    r"(?<!phong )\bchong\b(?! mat\b)(?! (em |toi |minh |chi |co |ban )?(bi|bj)\b)", r"\bnha chong\b",
    r"\b(ban trai|nguoi yeu|bo chong|me chong)\b",
)
_PARTNER_KO = re.compile(r"남편|남친|남자친구|시어머니|시아버지|시부모|시댁|시누|배우자|와이프|아내|동거인|전남편|형부|"
                         r"신랑|"
                         r"애들?아빠|한국남자랑결혼|이혼하자")

# What only a partner or in-laws do, domestic violence when they are named: taking her passport or ARC,
# smashing her phone, not letting her out, threatening to take the children, the bruises they leave. (Taking
# her phone "to fix it" or to work is no abuse.)
_WITH_PARTNER = _any(
    r"\b(took|takes|take|taken|keeps|kept|hid|hides|hiding|holds|holding|has|took away|won'?t give( back)?) "
    r"(away )?(my|her) (passport|arc|arc card|alien registration|residence card|id|id card|documents|papers)\b",
    r"\b(smashed|broke|grabbed|snatched|threw) (away )?(my|her) phone\b",
    r"\b(won'?t|wont|doesn'?t|does not|don'?t|do not|didn'?t) let (me|her) (out|go out|leave|outside)\b",
    r"\bbruis", r"\b(lock|locks|locked|locking) (me|her) (in|inside|up|out)\b",
    r"(забрал|отобрал|отнял|спрятал|прячет|держит|не отда)\w* (\w+ ){0,2}(паспорт|карт\w* иностранц|айди|\bid\b)",
    r"(забрал|отобрал|отнял|спрятал|прячет|не отда)\w* (у меня |мои )(\w+ )?документ",
    r"(разбил|отобрал|вырвал)\w* (у меня |мой )?телефон",
    r"не (выпуска|пуска)\w* (меня |ее |её )?(из дома|на улицу|из квартиры|выйти)", r"синяк",
    r"(угрожа|грозит)\w* (отобрать|забрать) дет",
    r"\b(giu|giu lai|lay|thu|cat|cam|giau|tich thu|lay mat) (het |luon )?(ho chieu|the cu tru|the nguoi nuoc ngoai|"
    r"arc|giay to)\b", r"\b(dap|nem|giat) (vo )?dien thoai\b",
    r"\b(khong|ko|k) cho (em |e |toi |chi |co ay )?(ra ngoai|ra khoi nha)\b",
    r"\bbam (het nguoi|tim)\b", r"\bkhoa cua\b",
)
_WITH_PARTNER_KO = re.compile(
    r"(여권|외국인등록증|등록증|신분증|서류)\w{0,2}(뺏|빼앗|가져갔|가져가|가지고있|갖고있|숨겼|숨기|안줘|안돌려|압수)|"
    r"(핸드폰|휴대폰|폰)\w{0,2}(뺏|빼앗|부쉈|부숴|던졌)|"
    r"못나가게|안내보내|밖에못나가|남편\w{0,4}(도망|피해)|멍(들|이들|이생)|애들(을)?뺏|아이(를|들)?뺏|"
    # "누구한테 말하면 본국으로 보내버린대요", "월급 다 가져가고 친정에 전화도 못하게해요", "맞고 살아요"
    r"(본국|고향|자기나라|너네나라|베트남|우즈벡)(으로|에)?\w{0,2}(보내버|쫓아|돌려보내|추방)|추방시킨|"
    r"(월급|돈|통장)\w{0,3}(다)?가져가|(전화|연락)(도)?못하게|맞고(살|있|지내)|이혼\w{0,10}죽인")

# A weapon in the message: violence, unless it is how the resident cut herself at work ("cut my hand with a
# knife"), which is a medical emergency.
_WEAPON = _any(
    r"\b(has|have|with|holding|got|carrying|pulled( out)?|waving) (a |an |the |his |their )?(knife|knives|gun|guns|"
    r"weapon|bat|bats|axe|machete|hammer|pipe)\b", r"\bknife\b.{0,20}\b(fight|threat|attack|man|guy)",
    r"\b(ножом|ножами|топором|пистолетом|битой|битами|ружь[её]м|молотком|арматурой)\b",
    r"\bу (него|нее|неё|них) (нож|пистолет|топор|оружие|ружь[её])", r"\bдрака с", r"\bnozhom\b",
    r"\b(cam|co|rut|vung) (dao|sung|gay|bua|riu|kiem|ma tau)\b(?! (lam bep|nau|bep|cat|got|thai|moi))",
    r"\bbang (dao|gay|sung|bua|riu)\b",
)
_WEAPON_KO = re.compile(r"칼(을|로|들|든|이|부림|질)|흉기|총(을|으로|들|든)|몽둥이|각목|야구방망이")
_BLADE_ACCIDENT = _any(
    r"\bcut (my|his|her) (hand|finger|arm|leg|thumb)\b", r"порезал(ся|ась)", r"\b(bi|bj) dao cat\b",
    r"\bcat (phai )?(tay|ngon tay)\b",
)
_BLADE_ACCIDENT_KO = re.compile(r"베었|베여|베인|잘렸")

# A bare cry for help: violence when nothing more specific is said.
_CRY_FOR_HELP = _any(
    r"\bhelp me,? (now|please now|quick)\b", r"\bin danger\b", r"\bcall (the )?police\b", r"помогите,? срочно",
    r"спасите", r"в опасности", r"\bspasite\b", r"\bcuu (toi|em|voi|minh|tui|con|me con)\b", r"\bnguy hiem\b",
)
_CRY_FOR_HELP_KO = re.compile(r"살려주|사람살려|경찰불러")

# When several kinds match, the most urgent first line wins.
_ORDER = (Urgency.SUICIDE, Urgency.DOMESTIC_VIOLENCE, Urgency.VIOLENCE, Urgency.FIRE, Urgency.MEDICAL,
          Urgency.OVERSTAY)

# What a question about a service looks like: these ask where or how, they describe no
# emergency under way ("which hospital has an emergency room at night?").
_QUESTION_ONLY = re.compile(r"^(where|which|what|how much|when)\b|^(где|какой|какая|сколько стоит)\b|"
                            r"^(o dau|cho nao|benh vien nao)\b")

# A visa that expires on a date still to come ("visa het han thang 8 khi nao nop gia han"): an extension
# question, not an overstay. Korean says it in the pattern itself ("비자 만료 전에").
_NOT_EXPIRED_YET = re.compile(
    r"\bsap het han\b|\bwill expire\b|\bexpires (next|in|on|soon|at|this|before)\b|\b(about|going) to expire\b|"
    r"\bexpiring\b|\bbefore (it|my visa|the visa) (expires|runs out|ends)\b|"
    r"истека(ет|ют)|закончится|заканчивается|кончается|"
    r"\btruoc khi het han\b|\bkhi nao het han\b|\bhet han vao\b|"
    r"\bhet han (vao )?(ngay|thang|tuan|nam) (\d+|sau|toi|nay)\b(?!.*\b(roi|da|tu)\b)|"
    r"\b(thang|tuan|nam) (sau|toi) (la )?het han\b|\b(next|this) (month|week)\b.{0,20}\bexpir|"
    r"\bexpir\w* (next|this) (month|week)\b|(в следующем месяце|через (месяц|неделю|\d+ (дн|недел|месяц)))|"
    r"(다음 ?(달|주)|이번 ?(달|주)|곧|내일|모레)\w{0,3} ?(비자 ?)?만료")


# Who hurts at work: a boss or a co-worker is no partner.
_AT_WORK = re.compile(r"\b(boss|manager|supervisor|foreman|co-?workers?|colleague)\b|사장|반장|관리자|직장|회사|"
                      r"\b(начальник|бригадир|сажанним|коллег)|\b(ong chu|quan ly|dong nghiep|sep)\b")


# Fire named as a thing, not as something burning (Russian; English has _NOT_FIRE_THING in its patterns).
_A_BELL = re.compile(r"колокол|куранты|\bbells?\b|\bchuong\b|타종|종(을|이)?(치|쳐|울)|종소리")
_NOT_A_FIRE = re.compile(r"^(?!.*(горит|горим|дым|пламя|огонь|загорел|тушит)).*(страхов\w* (от )?(пожар|огня)|"
                         r"пожарн\w* (безопасност|сигнализац|инспекц|выход|лестниц|часть|станци)|огнетушител)")


# An illness that is over ("had a stroke last year, now at home", "муж лежачий после инсульта, есть помощь по уходу
# на дому?"): a question about care, not an emergency. Both a past illness and care or recovery are said.
_AFTER_ILLNESS = re.compile(
    r"\b(had|has had|after|since) (a |his |her |the )?(stroke|heart attack|surgery|operation)\b|"
    r"(перен[её]с\w*|после) (инсульт|инфаркт|операци)|\b(sau|da bi|bi) (dot quy|tai bien|mo)\b|"
    r"(뇌졸중|중풍|뇌경색|심근경색|수술)\w{0,6}(후|하고|했는데|하셨는데|이후)")
_CARE_OR_RECOVERY = re.compile(
    r"\bnow (at |back )?home|\brecover|\bdischarged|\blast (year|month|week)|\b(years?|months?|weeks?) ago\b|"
    r"\brehab|\bcare\b|\bcaregiver|\bbedridden|\bparaly[sz]|\bnursing|"
    r"\bдома\b|\bна дому\b|выписал|восстанавлива|год назад|месяц\w* назад|\bуход|\bлежач|сиделк|парализ|реабилит|"
    r"\bve nha\b|\bxuat vien\b|\bhoi phuc\b|\bnam truoc\b|\bthang truoc\b|\bcham soc\b|\bliet\b|"
    r"퇴원|집에|회복|재활|돌봄|간병|누워|거동|요양")

# An injury already treated ("руку порезал сильно, зашили"; "got 5 stitches"): what comes next, not an emergency.
_TREATED = re.compile(r"\bзашили\b|\bналожили швы|\bшвы (наложили|сняли)|\bperevyazali\b|\bперевязали\b|"
                      r"\b(got|had|needed) (\d+ )?stitch|\b(was|were|got) stitched\b|"
                      r"\bstitched (it |me |him |her )?up\b|"
                      r"\b(da )?khau (\d+ )?mui\b|\bkhau (roi|xong)\b|꿰맸|꿰매|봉합(했|받|하고)")


def detect_urgent(text: str) -> Optional[Urgency]:
    """The urgent situation ``text`` describes, if any."""
    lowered = unicodedata.normalize("NFC", text).casefold()
    folded = " ".join(fold(lowered).split())
    for typo, right in _TYPOS:
        folded = typo.sub(right, folded)
    korean = re.sub(r"\s+", "", lowered).replace("됬", "됐")  # "됬" is how "됐" is often misspelt
    found: set[Urgency] = set()
    for kind, pattern in _LATIN_CYRILLIC.items():
        if pattern.search(folded):
            found.add(kind)
    for kind, pattern in _VIETNAMESE_MARKED.items():
        if pattern.search(lowered):
            found.add(kind)
    for kind, pattern in _KOREAN.items():
        if pattern.search(korean):
            found.add(kind)
    if (_WEAPON.search(folded) or _WEAPON_KO.search(korean)) and not (
            _BLADE_ACCIDENT.search(folded) or _BLADE_ACCIDENT_KO.search(korean)):
        found.add(Urgency.VIOLENCE)
    if (_PARTNER.search(folded) or _PARTNER_KO.search(korean)) and (
            Urgency.VIOLENCE in found or _WITH_PARTNER.search(folded) or _WITH_PARTNER_KO.search(korean)):
        # Violence by the resident's partner or in-laws is domestic violence, with its own first line.
        found.discard(Urgency.VIOLENCE)
        found.add(Urgency.DOMESTIC_VIOLENCE)
    if Urgency.VIOLENCE in found and _A_BELL.search(folded + " " + korean) and not re.search(
            r"\b(меня|нас|me|us)\b", folded):
        found.discard(Urgency.VIOLENCE)  # "где колокол бьют на новый год": a bell is struck, nobody is hurt
    if Urgency.DOMESTIC_VIOLENCE in found:
        found.discard(Urgency.OVERSTAY)  # "ck bao se bao xuat nhap canh truc xuat e": the threat is the violence
    if Urgency.FIRE in found and _NOT_A_FIRE.search(folded):
        found.discard(Urgency.FIRE)  # "страховка от пожара", "пожарная сигнализация": nothing is burning
    if Urgency.DOMESTIC_VIOLENCE in found and _AT_WORK.search(folded + " " + korean) and not (
            _PARTNER.search(folded) or _PARTNER_KO.search(korean)):
        found.discard(Urgency.DOMESTIC_VIOLENCE)  # "사장님 hit me again": the boss, not a partner
        found.add(Urgency.VIOLENCE)
    if Urgency.DOMESTIC_VIOLENCE in found and re.search(r"자원봉사|\bvolunteer|волонт|tinh nguyen vien", folded):
        found.discard(Urgency.DOMESTIC_VIOLENCE)  # "가정폭력 상담소에서 통역 자원봉사 하고싶어요"
    if Urgency.OVERSTAY in found and _NOT_EXPIRED_YET.search(folded):
        found.discard(Urgency.OVERSTAY)  # about to expire: an extension question, not an overstay
    both = folded + " " + korean
    if found == {Urgency.MEDICAL} and (
            (_AFTER_ILLNESS.search(both) and _CARE_OR_RECOVERY.search(both)) or _TREATED.search(both)):
        # "had a stroke, now home, we need help with meals": care after an illness, not an emergency now.
        return None
    if found == {Urgency.MEDICAL} and _QUESTION_ONLY.search(folded) and not re.search(
            r"\b(now|right now|сейчас|bay gio|ngay)\b|지금", folded + " " + korean):
        # "where is an emergency room?": the finder answers; no emergency under way is described.
        return None
    if not found and (_CRY_FOR_HELP.search(folded) or _CRY_FOR_HELP_KO.search(korean)):
        return Urgency.VIOLENCE  # "spasite!", "cứu với": the police line, and a person
    return next((kind for kind in _ORDER if kind in found), None)


def first_line_key(kind: Urgency) -> str:
    """The catalog key of the first line for ``kind``."""
    return f"urgent_{kind.value}"


# Answers (catalog keys, by prefix) that belong with each kind: kept after the urgent line.
RELATED_KEYS: dict[Urgency, tuple[str, ...]] = {
    Urgency.MEDICAL: ("faq_emergency_numbers", "faq_hospital_interpreter", "faq_free_clinic",
                      "faq_medical_cost_support", "faq_pregnancy_childbirth", "service_", "finder_"),
    Urgency.FIRE: ("faq_emergency_numbers",),
    Urgency.VIOLENCE: ("faq_emergency_numbers", "faq_domestic_violence", "ask_danuri", "faq_workplace_abuse"),
    Urgency.DOMESTIC_VIOLENCE: ("faq_domestic_violence", "ask_danuri", "faq_divorce_custody", "faq_legal_aid"),
    Urgency.SUICIDE: (),
    Urgency.OVERSTAY: ("faq_visa_extension", "faq_visa_change", "ask_immigration_contact", "faq_reentry"),
}
