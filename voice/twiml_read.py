"""Read TwiML (Twilio's voice markup) into plain steps: what a caller would hear and what the call
would do next. Pure: no Django, no network. The phone simulator shows a call with it and the tests'
call walker (tests/fakes/call_walker.py) drives one with it.

    steps = twiml_read(xml)          # [Say(...), Gather(...), Hangup()]
    spoken(steps)                    # ["Hello.", "Press 1 to ..."], the words, in order, Gather's too

Relative URLs (``action``, ``Redirect``) are resolved against ``base_url`` when one is given, as
Twilio resolves them against the document's own URL.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field


class TwimlError(ValueError):
    """The text is not TwiML a call can follow (not XML, no <Response>, a verb with a bad value)."""


@dataclass(frozen=True)
class Say:
    text: str
    language: str = ""
    voice: str = ""
    loop: int = 1


@dataclass(frozen=True)
class Play:
    url: str
    loop: int = 1


@dataclass(frozen=True)
class Pause:
    length: int = 1


@dataclass(frozen=True)
class Gather:
    """Keys wanted. ``action`` empty means the document's own URL (Twilio's default)."""

    action: str = ""
    method: str = "POST"
    num_digits: int | None = None
    timeout: int = 5
    finish_on_key: str = "#"
    steps: tuple = field(default_factory=tuple)  # the Say/Play/Pause heard while waiting


@dataclass(frozen=True)
class Record:
    action: str = ""
    method: str = "POST"
    max_length: int = 3600
    timeout: int = 5
    finish_on_key: str = "1234567890*#"
    play_beep: bool = True
    recording_status_callback: str = ""


@dataclass(frozen=True)
class Dial:
    number: str
    action: str = ""
    timeout: int = 30
    caller_id: str = ""


@dataclass(frozen=True)
class Redirect:
    url: str
    method: str = "POST"


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Reject:
    reason: str = "rejected"


Step = Say | Play | Pause | Gather | Record | Dial | Redirect | Hangup | Reject


def twiml_read(xml: str | bytes, *, base_url: str = "") -> list[Step]:
    """The steps of a TwiML document, in order. Raises TwimlError on anything a call cannot follow."""
    try:
        root = ET.fromstring(xml)  # noqa: S314 -- see the import
    except ET.ParseError as exc:
        raise TwimlError(f"not XML: {exc}") from exc
    if root.tag != "Response":
        raise TwimlError(f"the document is <{root.tag}>, not <Response>")
    return [_step(element, base_url) for element in root]


def spoken(steps: list[Step]) -> list[str]:
    """Every sentence said, in order, including those inside a Gather (each loop once)."""
    words: list[str] = []
    for step in steps:
        if isinstance(step, Say):
            words.append(step.text)
        elif isinstance(step, Gather):
            words.extend(spoken(list(step.steps)))
    return words


def _text(element: ET.Element) -> str:
    # itertext: a <Say> may hold SSML (<prosody>, <break>); what is heard is its text.
    return " ".join(" ".join(element.itertext()).split())


def _int(element: ET.Element, name: str, default: int | None) -> int | None:
    value = element.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise TwimlError(f"<{element.tag} {name}=...> is not a whole number: {value!r}") from exc


def _url(value: str | None, base_url: str) -> str:
    if not value:
        return ""
    return urllib.parse.urljoin(base_url, value) if base_url else value


def _step(element: ET.Element, base_url: str) -> Step:  # noqa: C901 -- one branch per verb
    tag, get = element.tag, element.get
    if tag == "Say":
        return Say(_text(element), get("language", ""), get("voice", ""), _int(element, "loop", 1) or 1)
    if tag == "Play":
        return Play(_text(element), _int(element, "loop", 1) or 1)
    if tag == "Pause":
        return Pause(_int(element, "length", 1) or 0)
    if tag == "Gather":
        inner = tuple(_step(child, base_url) for child in element)
        if any(not isinstance(s, Say | Play | Pause) for s in inner):
            raise TwimlError("a <Gather> may hold only <Say>, <Play> and <Pause>")
        return Gather(
            action=_url(get("action"), base_url),
            method=get("method", "POST").upper(),
            num_digits=_int(element, "numDigits", None),
            timeout=_int(element, "timeout", 5) or 0,
            finish_on_key=get("finishOnKey", "#"),
            steps=inner,
        )
    if tag == "Record":
        return Record(
            action=_url(get("action"), base_url),
            method=get("method", "POST").upper(),
            max_length=_int(element, "maxLength", 3600) or 0,
            timeout=_int(element, "timeout", 5) or 0,
            finish_on_key=get("finishOnKey", "1234567890*#"),
            play_beep=get("playBeep", "true").lower() != "false",
            recording_status_callback=_url(get("recordingStatusCallback"), base_url),
        )
    if tag == "Dial":
        number = element.find("Number")
        target = _text(number) if number is not None else _text(element)
        if not target:
            raise TwimlError("a <Dial> with no number")
        return Dial(
            target, _url(get("action"), base_url), _int(element, "timeout", 30) or 0, get("callerId", "")
        )
    if tag == "Redirect":
        if not _text(element):
            raise TwimlError("a <Redirect> with no URL")
        return Redirect(_url(_text(element), base_url), get("method", "POST").upper())
    if tag == "Hangup":
        return Hangup()
    if tag == "Reject":
        return Reject(get("reason", "rejected"))
    raise TwimlError(f"<{tag}> is not a voice verb this reader knows")
