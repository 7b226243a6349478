"""Message templates for reactivation texts: which variables they may use, the rules every one
must follow, rendering and a preview with segment count and encoding. Pure: no Django.

Under UK rules (PECR) asking a dormant volunteer to come back is a marketing-style message, so
every template must say who it is from (``{sender}``) and end with how to opt out.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from messaging.encoding import sms_normalise, sms_segments

OPT_OUT_LINE = "Reply STOP to opt out"

# The variables a template may use, with what they mean (shown to the person editing one).
VARIABLES: dict[str, str] = {
    "sender": "who the text is from (the organisation running the campaign)",
    "group": "the mutual-aid group's name",
    "area": "the area: a local authority or the place the campaign centres on",
    "organiser": "the group organiser's first name",
    "name": "the recipient's first name",
    "ref": "a need's REF, when the text is about one need",
    "ready": "the reply word for yes (READY)",
    "not_now": "the reply words for not this time (NOT NOW)",
    "stop": "the opt-out word (STOP)",
}
REPLY_WORDS = {"ready": "READY", "not_now": "NOT NOW", "stop": "STOP"}
SAMPLE_VALUES: dict[str, str] = {
    "sender": "West Midlands Community Resilience Partnership",
    "group": "Sparkbrook Street Champions",
    "area": "Birmingham",
    "organiser": "Amira",
    "name": "Sam",
    "ref": "7KQ2",
    **REPLY_WORDS,
}

# The texts a campaign sends and which the playbook must have (in English at least).
REQUIRED_TEMPLATES = ("volunteer_call",)
KNOWN_TEMPLATES = ("volunteer_call", "organiser_call", "reconsent", "thanks")

# Fixed wording used when a playbook does not bring its own, and for readiness checks (which
# belong to the register, not to a playbook).
DEFAULT_TEMPLATES: dict[str, str] = {
    "reconsent": (
        "{sender}: you signed up to help neighbours in {area} some time ago. May we still text you "
        "when help is needed? Reply READY to stay on the list. Reply STOP to opt out"
    ),
    "thanks": (
        "{sender}: thank you for saying READY. We have enough people for now, so you are not needed "
        "this time; we will text if that changes. Reply STOP to opt out"
    ),
    "readiness_check": (
        "{sender}: are you still the contact for {group}? If a crisis came, could the group help "
        "again? Reply READY if yes, NOT NOW if not this time. Reply STOP to opt out"
    ),
    "readiness_handover": (
        "{sender}: we could not reach the organiser of {group}. As its deputy, would you take over "
        "as the contact? Reply READY to take over, NOT NOW if not. Reply STOP to opt out"
    ),
}


class TemplateError(ValueError):
    """A template that breaks the rules; ``problems`` lists each in plain words."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def template_variables(text: str) -> list[str]:
    """The ``{names}`` a template uses, in order; raises TemplateError on a malformed brace."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError([f"the braces do not match ({exc}); use {{name}} for a variable"]) from None
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name or spec or conversion or not name.isidentifier():
            raise TemplateError([f"{{{name}}} is not a variable; use plain names like {{group}}"])
        names.append(name)
    return names


def template_problems(text: str, *, label: str = "template") -> list[str]:
    """Everything wrong with one template (empty list: it is fine)."""
    if not isinstance(text, str) or not text.strip():
        return [f"{label} is empty"]
    try:
        names = template_variables(text)
    except TemplateError as exc:
        return [f"{label}: {p}" for p in exc.problems]
    problems = []
    unknown = sorted(set(names) - set(VARIABLES))
    if unknown:
        allowed = ", ".join("{" + v + "}" for v in VARIABLES)
        problems.append(
            f"{label} uses unknown {', '.join('{' + u + '}' for u in unknown)} (allowed: {allowed})"
        )
    if "sender" not in names:
        problems.append(f"{label} must say who it is from: put {{sender}} in it")
    if not text.rstrip().rstrip(".!").endswith(OPT_OUT_LINE):
        problems.append(f'{label} must end with how to opt out: "{OPT_OUT_LINE}"')
    return problems


def templates_problems(templates: Any) -> list[str]:
    """Check a playbook's ``{language: {name: text}}`` templates."""
    if not isinstance(templates, Mapping) or not templates:
        return ['templates must be {"en": {"volunteer_call": "..."}, ...}']
    problems = []
    for language, by_name in templates.items():
        if not isinstance(by_name, Mapping):
            problems.append(f"templates.{language} must map message names to texts")
            continue
        for name, text in by_name.items():
            problems.extend(template_problems(text, label=f"templates.{language}.{name}"))
    english = templates.get("en")
    if isinstance(english, Mapping):
        for name in REQUIRED_TEMPLATES:
            if name not in english:
                problems.append(f"templates.en.{name} is missing: every playbook needs it")
    else:
        problems.append("templates.en is missing: English is the fallback for every language")
    return problems


def template_for(templates: Mapping[str, Mapping[str, str]], *, name: str, language: str = "en") -> str:
    """The text for ``name`` in ``language``, falling back to English, then to the defaults."""
    for lang in (language, "en"):
        text = (templates.get(lang) or {}).get(name)
        if text:
            return text
    if name == "organiser_call":
        return template_for(templates, name="volunteer_call", language=language)
    if name in DEFAULT_TEMPLATES:
        return DEFAULT_TEMPLATES[name]
    raise KeyError(f"the playbook has no {name!r} template")


def template_language(
    templates: Mapping[str, Any], *, name: str, preferred: str | None, fallback: str
) -> str:
    """The language a person's text ``name`` goes in: their preferred language (the one they chose
    for texts: at sign-up, on their page or by LANGUAGE) when the playbook has the text in it;
    otherwise ``fallback`` (the campaign's), which ``template_for`` falls back to English from.
    The dry run and the send both ask this, so the cost the dry run shows counts the Punjabi or
    Urdu texts (UCS-2) that will really go."""
    by_name = templates.get(preferred) if isinstance(preferred, str) else None
    if isinstance(by_name, Mapping) and by_name.get(name):
        return str(preferred)
    return fallback


def call_line_insert(body: str, call: str) -> str:
    """``call`` (the phone line's sentence, "To hear this, call 0121 496 0000.") just before the
    ending every campaign text keeps ("Reply STOP to opt out"); at the end if there is none."""
    if not call:
        return body
    at = body.rfind(OPT_OUT_LINE)
    if at < 0:
        return f"{body} {call}"
    return f"{body[:at].rstrip()} {call} {body[at:]}".lstrip()


def template_render(text: str, values: Mapping[str, str]) -> str:
    """Fill a template; missing values become empty rather than failing a whole wave, and the
    result is normalised to GSM-7 look-alikes so a pasted curly quote does not triple the cost."""
    merged = {**dict.fromkeys(VARIABLES, ""), **REPLY_WORDS, **{k: v for k, v in values.items() if v}}
    body = string.Formatter().vformat(text, (), merged)
    return sms_normalise(" ".join(body.split()))


@dataclass(frozen=True)
class TemplatePreview:
    body: str
    encoding: str
    segments: int
    length: int
    warnings: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    variables: dict[str, str] = field(default_factory=dict)


def template_preview(text: str, values: Mapping[str, str] | None = None) -> TemplatePreview:
    """Render with sample (or given) values and count segments, as the campaign page shows it."""
    problems = template_problems(text)
    filled = {**SAMPLE_VALUES, **(values or {})}
    try:
        body = template_render(text, filled)
    except (ValueError, KeyError, IndexError):
        body = text
    info = sms_segments(body)
    return TemplatePreview(
        body=body,
        encoding=info.encoding,
        segments=info.segments,
        length=info.length,
        warnings=info.warnings,
        problems=tuple(problems),
        variables=dict(VARIABLES),
    )
