"""The SMS language a volunteer may text (pure: no Django). See the contract's table.

Forgiving by design: case, punctuation, a greeting or "please" around the command, and the REF
anywhere after it ("yes please 7KQ2!" is YES 7KQ2). The first meaningful word decides the
command; anything else is NOT_UNDERSTOOD and goes to a person.

Two rules from Twilio's own keyword handling shape the table: CANCEL and END are opt-out words
(so no task command may use them), and only START or UNSTOP opt a number back in, never YES.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

YES = "YES"
NO = "NO"
DONE = "DONE"
READY = "READY"
NOT_NOW = "NOT_NOW"
PAUSE = "PAUSE"
AVAILABLE = "AVAILABLE"
STOP = "STOP"
START = "START"
HELP = "HELP"
LINK = "LINK"
LANGUAGE = "LANGUAGE"
NOT_UNDERSTOOD = "NOT_UNDERSTOOD"

REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REF_LENGTH = 4

KEYWORDS: dict[str, str] = {
    "YES": YES,
    "Y": YES,
    "YEP": YES,
    "YEAH": YES,
    "YA": YES,
    "OK": YES,
    "OKAY": YES,
    "ACCEPT": YES,
    "ACCEPTED": YES,
    "NO": NO,
    "N": NO,
    "NOPE": NO,
    "DECLINE": NO,
    "DECLINED": NO,
    "DONE": DONE,
    "COMPLETE": DONE,
    "COMPLETED": DONE,
    "FINISHED": DONE,
    "READY": READY,
    "NOTNOW": NOT_NOW,
    "PAUSE": PAUSE,
    "AVAILABLE": AVAILABLE,
    "STOP": STOP,
    "STOPALL": STOP,
    "UNSUBSCRIBE": STOP,
    "CANCEL": STOP,
    "END": STOP,
    "QUIT": STOP,
    "REVOKE": STOP,
    "OPTOUT": STOP,
    "START": START,
    "UNSTOP": START,
    "HELP": HELP,
    "INFO": HELP,
    "LINK": LINK,
    "LANGUAGE": LANGUAGE,
    "LANG": LANGUAGE,
    "JEZYK": LANGUAGE,  # Polish: JĘZYK, accents folded
}
# Words that opt out wherever they appear: nobody writes UNSUBSCRIBE meaning anything else.
OPT_OUT_ANYWHERE = frozenset({"STOPALL", "UNSUBSCRIBE", "OPTOUT"})
# Politeness around a command, skipped when looking for the first meaningful word.
FILLERS = frozenset(
    {"HI", "HELLO", "HEY", "PLEASE", "PLS", "THANKS", "THANK", "YOU", "SORRY", "DEAR", "ER", "UM"}
)
# Four-letter words built from the REF alphabet that are far likelier to be English than a REF.
COMMON_WORDS = frozenset(
    [
        "ABLE",
        "ALSO",
        "BACK",
        "BEEN",
        "BUSY",
        "CALL",
        "CANT",
        "COME",
        "DAYS",
        "DONT",
        "DOWN",
        "EACH",
        "EVEN",
        "FREE",
        "FROM",
        "GLAD",
        "GOOD",
        "HAVE",
        "HELP",
        "HERE",
        "JUST",
        "KEEP",
        "LATE",
        "LIKE",
        "MANY",
        "MAKE",
        "MORE",
        "MUST",
        "NEED",
        "NEXT",
        "ONLY",
        "OVER",
        "SAME",
        "SEND",
        "SURE",
        "TAKE",
        "TASK",
        "TEXT",
        "THAN",
        "THAT",
        "THEM",
        "THEN",
        "THEY",
        "THIS",
        "TIME",
        "VERY",
        "WANT",
        "WEEK",
        "WELL",
        "WENT",
        "WERE",
        "WHAT",
        "WHEN",
        "WILL",
        "WITH",
        "WORK",
        "YEAH",
        "YOUR",
    ]
)

_ref_chars = frozenset(REF_ALPHABET)
_squash = re.compile(r"['\u2019.`]")
_split = re.compile(r"[^A-Z0-9]+")
# What follows the LANGUAGE word, as typed: the name may be in its own script ("LANGUAGE اردو"),
# which the Latin tokens do not keep.
_language_rest = re.compile(r"\b(?:language|lang|j[eę]zyk)\b[\s:,.\-]*(.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class ParsedSms:
    name: str  # one of the constants above
    argument: str = ""  # a REF, upper-cased, when one was found
    raw: str = ""


def _tokens(text: str) -> list[str]:
    # Strip accents so "Oké" still reads; drop apostrophes and dots so "can't" and "O.K." stay whole.
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).upper()
    folded = _squash.sub("", folded)
    return [t for t in _split.split(folded) if t]


def _looks_like_ref(token: str) -> bool:
    return len(token) == REF_LENGTH and all(ch in _ref_chars for ch in token)


def ref_find(tokens: list[str]) -> str:
    """The most REF-like token: one with a digit first, then one that is not a common word."""
    candidates = [t for t in tokens if _looks_like_ref(t) and t not in KEYWORDS]
    for t in candidates:
        if any(ch.isdigit() for ch in t):
            return t
    for t in candidates:
        if t not in COMMON_WORDS:
            return t
    return ""


def sms_parse(text: str) -> ParsedSms:
    """Read one inbound text. Never raises, whatever the input."""
    raw = text if isinstance(text, str) else ""
    tokens = _tokens(raw)
    if any(t in OPT_OUT_ANYWHERE for t in tokens):
        return ParsedSms(STOP, "", raw)
    # The first meaningful word: skip greetings and a REF written before the command ("7KQ2 yes").
    rest = [t for t in tokens if t not in FILLERS]
    while rest and _looks_like_ref(rest[0]) and any(ch.isdigit() for ch in rest[0]):
        rest = rest[1:]
    if not rest:
        return ParsedSms(NOT_UNDERSTOOD, "", raw)
    first, after = rest[0], rest[1:]
    if first == "NOT" and after[:1] == ["NOW"]:
        return ParsedSms(NOT_NOW, "", raw)
    name = KEYWORDS.get(first)
    if name is None:
        return ParsedSms(NOT_UNDERSTOOD, "", raw)
    if name == HELP and after:
        # "HELP" alone asks for the command list; "help my mum has fallen" is a person asking for
        # help, which must reach a coordinator, not an automatic reply.
        return ParsedSms(NOT_UNDERSTOOD, "", raw)
    argument = ""
    if name == LANGUAGE:
        found = _language_rest.search(raw)
        return ParsedSms(LANGUAGE, " ".join((found.group(1) if found else "").split())[:40], raw)
    if name in (YES, NO, DONE):
        argument = ref_find([t for t in tokens if t != first])
    return ParsedSms(name, argument, raw)
