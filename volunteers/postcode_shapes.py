"""The shapes of UK postcodes, with no Django: what can be a postcode, and why not when not.

A postcode is an outward code (area and district: ``B23``, ``WV14``, ``SW1A``), one space and an
inward code (sector digit and two unit letters: ``6AB``). The rules are Royal Mail's, as the ONS
Postcode Directory's user guide states them:

- the area is one or two letters; the first is never Q, V or X, the second never I, J or Z;
- the district is one or two digits, or a digit and a letter (``W1A``, ``EC1V``): a third-place
  letter is one of A B C D E F G H J K P S T U W, a fourth-place one of A B E H M N P R V W X Y;
- the unit letters are never C, I, K, M, O or V (they look like other letters or digits).

Case and spaces are forgiven (``b236ab``, `` b23  6ab ``): a person types them either way. Any other
character (``B23-6AB``, ``B23.6AB``, ``B23_6AB``, an invisible one pasted from elsewhere) is refused
with its name, never silently removed: a stray character means the text came from somewhere else,
and what else it carried is not known.
"""

from __future__ import annotations

import re
import unicodedata

AREA_FIRST_NOT = "QVX"
AREA_SECOND_NOT = "IJZ"
THIRD_LETTERS = "ABCDEFGHJKPSTUW"  # A9A districts (W1A)
FOURTH_LETTERS = "ABEHMNPRVWXY"  # AA9A districts (SW1A, EC1V)
UNIT_NOT = "CIKMOV"
EXAMPLE = "like B23 6AB"

_OUTWARD = re.compile(r"^([A-Z]{1,2})([0-9])([0-9A-Z]?)$")
_INWARD = re.compile(r"^[0-9][A-Z]{2}$")
_GIRO = "GIR0AA"  # Girobank's, the one postcode outside the rules


class PostcodeError(ValueError):
    """Not a UK postcode; the message says why in plain words."""


_CONTROL_NAMES = {"\t": "a tab", "\n": "a line break", "\r": "a line break"}


def _character_name(char: str) -> str:
    if char in _CONTROL_NAMES:
        return _CONTROL_NAMES[char]
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    name = unicodedata.name(char, "").lower() or "a control character"
    return f"an invisible character ({name}, U+{ord(char):04X})"


def _squeeze(raw: str) -> tuple[str, str]:
    """(letters and digits in upper case, the text as typed without its outer spaces); refuses any
    other character, naming it."""
    typed = (raw or "").strip()
    if not typed:
        raise PostcodeError(f"A postcode is needed ({EXAMPLE})")
    for char in typed:
        if not (char.isascii() and (char.isalnum() or char == " ")):
            raise PostcodeError(
                f"{typed!r} has {_character_name(char)} in it; a postcode has only letters, "
                f"numbers and one space ({EXAMPLE})"
            )
    return typed.replace(" ", "").upper(), typed


def _outward_problem(outward: str) -> str | None:
    """Why ``outward`` is no postcode district, or None when it is one."""
    match = _OUTWARD.match(outward)
    if not match:
        return "is not the shape of a UK postcode"
    area, _digit, last = match.groups()
    if area[0] in AREA_FIRST_NOT:
        return f"cannot be a UK postcode: none starts with {area[0]}"
    if len(area) == 2 and area[1] in AREA_SECOND_NOT:
        return f"cannot be a UK postcode: none has {area[1]} as its second letter"
    if last.isalpha():
        allowed = THIRD_LETTERS if len(area) == 1 else FOURTH_LETTERS
        if last not in allowed:
            return f"cannot be a UK postcode: no district ends in the letter {last} after {area}"
    return None


def _inward_problem(inward: str) -> str | None:
    if not _INWARD.match(inward):
        return "is not the shape of a UK postcode"
    bad = [letter for letter in inward[1:] if letter in UNIT_NOT]
    if bad:
        never = ", ".join(UNIT_NOT[:-1]) + " or " + UNIT_NOT[-1]
        return f"cannot be a UK postcode: its last two letters are never {never}, and this has {bad[0]}"
    return None


def _space_problem(typed: str, outward: str, inward: str) -> str | None:
    """Spaces are fine only between the district and the last three characters."""
    if re.fullmatch(rf"{outward}{inward}|{outward} +{inward}", typed.upper()):
        return None
    return "has a space in the wrong place (the space goes before the last three characters)"


def postcode_parts(raw: str) -> tuple[str, str]:
    """(outward, inward) of a full UK postcode: ``"b23 6ab"`` -> ``("B23", "6AB")``.

    Raises PostcodeError saying why anything else is not one."""
    compact, typed = _squeeze(raw)
    if compact == _GIRO:
        return "GIR", "0AA"
    if len(compact) < 5 or len(compact) > 7:
        if _outward_problem(compact) is None:
            raise PostcodeError(
                f"{typed!r} is only a postcode district; the full postcode is needed ({EXAMPLE})"
            )
        raise PostcodeError(f"{typed!r} is not the shape of a UK postcode ({EXAMPLE})")
    outward, inward = compact[:-3], compact[-3:]
    problem = _outward_problem(outward) or _inward_problem(inward) or _space_problem(typed, outward, inward)
    if problem:
        raise PostcodeError(f"{typed!r} {problem} ({EXAMPLE})")
    return outward, inward


def postcode_normalise(raw: str) -> str:
    """``"b23 6ab "`` -> ``"B23 6AB"``; raises PostcodeError saying why if it is not a full UK postcode."""
    outward, inward = postcode_parts(raw)
    return f"{outward} {inward}"


def district_normalise(raw: str) -> str:
    """A postcode district alone (``"wv14"`` -> ``"WV14"``); raises PostcodeError otherwise."""
    compact, typed = _squeeze(raw)
    if " " in typed:
        raise PostcodeError(f"{typed!r} is not a postcode district (like B23)")
    problem = _outward_problem(compact)
    if problem:
        raise PostcodeError(f"{typed!r} {problem.replace('UK postcode', 'postcode district')} (like B23)")
    return compact


def postcode_district(raw: str) -> str:
    """The outward code (``"B23 6AB"`` -> ``"B23"``); accepts a full postcode or a district."""
    try:
        return postcode_parts(raw)[0]
    except PostcodeError as full_problem:
        try:
            return district_normalise(raw)
        except PostcodeError:
            raise full_problem from None


def postcode_is_district(raw: str) -> bool:
    """True for a well-formed district alone (``B23``), False for anything else."""
    try:
        district_normalise(raw)
    except PostcodeError:
        return False
    return True
