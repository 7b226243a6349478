"""Replies read in context (pure: no Django). The grammar reads the words; this reads the answer.

People answer a text the way they talk: "count me in", "I'm free", "no sorry, not this time".
``sms_parse`` (messaging/grammar.py) stays the contract's word table; here a reply that is an
answer (yes or no, in any words) goes to whatever question is open for the sender:

- an open offer takes "yes" and "no" (YES / NO, as the contract says);
- with no offer open, a campaign call, a re-consent request or a readiness check takes them as
  READY / NOT NOW, which are also what READY and NOT NOW always mean;
- with nothing open, an answer keeps the grammar's reading (its handler says nothing is waiting),
  and words the grammar did not know stay not understood: a person reads them.

An answer that says both yes and no ("yes but not today"), or maybe, is not guessed at: a person
reads it. A text with words of distress ("my dad has collapsed") is never taken as an answer,
and always reaches a person, whatever else it says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from messaging.grammar import (
    NO,
    NOT_NOW,
    NOT_UNDERSTOOD,
    READY,
    START,
    STOP,
    YES,
    ParsedSms,
    _tokens,
)

# What may be open for a sender (messaging.registry.OpenQuestion.kind).
OFFER = "offer"  # a need offered to a volunteer: YES / NO
CALL = "call"  # a campaign's call to help: READY / NOT NOW
RECONSENT = "reconsent"  # a campaign asking first whether we may still text: READY / NOT NOW
READINESS = "readiness"  # a readiness check (or a deputy asked to take over): READY / NOT NOW
QUESTION_KINDS = (OFFER, CALL, RECONSENT, READINESS)
CALL_KINDS = frozenset({CALL, RECONSENT, READINESS})

# The grammar's readings that are answers to a question (with no REF: a REF names its offer).
ANSWERS = frozenset({YES, NO, READY, NOT_NOW, NOT_UNDERSTOOD})


class Intent(StrEnum):
    YES = "yes"
    NO = "no"
    UNCLEAR = "unclear"  # both, or maybe: a person reads it
    NONE = "none"  # no answer in it at all


def _phrases(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(t.split()) for t in texts)


# Written as the tokens the grammar makes (upper case, apostrophes dropped: "I'm" is IM).
YES_PHRASES = _phrases(
    "YES", "Y", "YEP", "YEAH", "YA", "YUP", "AYE", "OK", "OKAY", "SURE", "READY", "IM READY",
    "ACCEPT", "COUNT ME IN", "IM IN", "I AM IN", "SIGN ME UP", "IM FREE", "I AM FREE", "FREE",
    "IM AVAILABLE", "I AM AVAILABLE", "AVAILABLE", "I CAN", "CAN HELP", "CAN DO", "HAPPY TO",
    "GLAD TO", "WILL DO", "I WILL", "ILL HELP", "ILL DO IT", "ILL GO", "OF COURSE", "ABSOLUTELY",
    "DEFINITELY", "DEFO", "NO PROBLEM", "NO PROBS", "NO PROBLEMO", "NO WORRIES", "NOT A PROBLEM",
    "ALRIGHT", "GO ON THEN", "UP FOR IT", "ON MY WAY", "WILLING", "TAK", "HAAN", "HAN JI", "JI HAAN",
)  # fmt: skip
NO_PHRASES = _phrases(
    "NO", "N", "NOPE", "NAH", "NOTNOW", "NOT NOW", "NOT THIS TIME", "NOT THIS WEEK", "NOT TODAY",
    "NOT TONIGHT", "NOT RIGHT NOW", "NOT AT THE MOMENT", "NOT ME", "NOT FREE", "NOT AVAILABLE",
    "NOT READY", "NOT ABLE", "UNAVAILABLE", "UNABLE", "CANT", "CANNOT", "CAN NOT", "COULDNT",
    "WONT", "BUSY", "DECLINE", "AFRAID NOT", "IM AWAY", "I AM AWAY", "IM WORKING", "I AM WORKING",
    "AT WORK", "NEXT TIME", "ANOTHER TIME",
    "NIE", "NAHI", "NAHIN",
)  # fmt: skip
MAYBE_PHRASES = _phrases(
    "MAYBE", "PERHAPS", "POSSIBLY", "PROBABLY", "MIGHT", "NOT SURE", "UNSURE", "DEPENDS", "DUNNO",
)  # fmt: skip
# Words of someone in trouble: never read as an answer, always shown to a person.
DISTRESS_PHRASES = _phrases(
    "COLLAPSED", "FALLEN", "FELL", "AMBULANCE", "EMERGENCY", "999", "111", "HOSPITAL", "BLEEDING",
    "UNCONSCIOUS", "NOT BREATHING", "CANT BREATHE", "CHEST PAIN", "STROKE", "HEART ATTACK",
    "INJURED", "HURT", "UNSAFE", "SCARED", "ATTACKED", "SUICIDE", "SUICIDAL", "KILL MYSELF",
    "OVERDOSE", "HELP ME", "NEED HELP", "NO FOOD", "NO HEATING", "NO MEDICINE",
)  # fmt: skip
_BY_LENGTH = sorted(
    [(p, Intent.YES) for p in YES_PHRASES]
    + [(p, Intent.NO) for p in NO_PHRASES]
    + [(p, Intent.UNCLEAR) for p in MAYBE_PHRASES],
    key=lambda item: -len(item[0]),
)


def _has_phrase(tokens: list[str], phrases: tuple[tuple[str, ...], ...]) -> bool:
    return any(tuple(tokens[i : i + len(p)]) == p for p in phrases for i in range(len(tokens)))


def intent_read(text: str) -> Intent:
    """Whether ``text`` says yes, no, both or maybe. Longest phrases first, each word used once,
    so "no problem" is a yes and "not free" a no. A maybe with a no is a no (declining softly
    still declines, and NOT NOW keeps the person on the list); a maybe with a yes is unclear."""
    tokens = _tokens(text)
    seen: set[Intent] = set()
    i = 0
    while i < len(tokens):
        for phrase, intent in _BY_LENGTH:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                seen.add(intent)
                i += len(phrase)
                break
        else:
            i += 1
    if Intent.YES in seen:
        # "yes but not today" and "maybe yes" are a person's to read; "maybe next time" is a no.
        return Intent.UNCLEAR if seen & {Intent.NO, Intent.UNCLEAR} else Intent.YES
    if Intent.NO in seen:
        return Intent.NO
    return Intent.UNCLEAR if seen else Intent.NONE


def distress_in(text: str) -> bool:
    return _has_phrase(_tokens(text), DISTRESS_PHRASES)


@dataclass(frozen=True)
class Reading:
    """What the dispatcher does with a text: the command (and REF) to run, and whether a person
    should also read it (distress, a question, the word STOP inside a longer answer)."""

    name: str
    argument: str = ""
    for_a_person: bool = False


def _answer_to(intent: Intent, *, typed: str, open_kinds: frozenset[str]) -> str:
    """The command a yes or a no is, given what is open. READY or NOT NOW typed as such always
    answer a call when one is open, even with an offer open too."""
    offer_open = OFFER in open_kinds
    call_open = bool(open_kinds & CALL_KINDS)
    if typed in (READY, NOT_NOW) and call_open:
        return typed
    if offer_open:
        return YES if intent == Intent.YES else NO
    if call_open:
        return READY if intent == Intent.YES else NOT_NOW
    # Nothing open: the grammar's word when it says the same (its handler answers that nothing
    # is waiting); otherwise ("no problem", "count me in") a person reads it.
    same = typed in (YES, READY) if intent == Intent.YES else typed in (NO, NOT_NOW)
    return typed if same else NOT_UNDERSTOOD


def reply_read(parsed: ParsedSms, *, open_kinds: frozenset[str] | set[str]) -> Reading:
    """Read one text with what is open for its sender (``open_kinds``: kinds of OpenQuestion)."""
    raw = parsed.raw
    distress = distress_in(raw)
    if parsed.name in (STOP, START):
        return Reading(parsed.name, parsed.argument)
    if parsed.name not in ANSWERS or parsed.argument:
        # A command, or an answer naming its REF: as the grammar read it.
        return Reading(parsed.name, parsed.argument, for_a_person=distress)
    if distress:
        return Reading(NOT_UNDERSTOOD, for_a_person=True)
    also_for_a_person = "?" in raw or "STOP" in _tokens(raw)
    intent = intent_read(raw)
    if intent == Intent.UNCLEAR:
        return Reading(NOT_UNDERSTOOD, for_a_person=True)
    if intent == Intent.NONE:
        if parsed.name == NOT_UNDERSTOOD:
            return Reading(NOT_UNDERSTOOD, for_a_person=True)
        intent = Intent.YES if parsed.name in (YES, READY) else Intent.NO
    name = _answer_to(intent, typed=parsed.name, open_kinds=frozenset(open_kinds))
    return Reading(name, for_a_person=also_for_a_person or name == NOT_UNDERSTOOD)
