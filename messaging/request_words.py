"""Does a text from someone who is not a volunteer read like a request for help? (pure: no Django)

"I need help with shopping, I live at B23 6SN" from a number nobody knows is a person asking for
help, not a volunteer who typed a command wrong. The rule is simple on purpose, so that a
coordinator can predict it: a text reads like a request when the grammar found no command in it
(the caller checks that) and it has a word of need ("help", "shopping", "prescription", "lonely"...),
words of distress (messaging/replies.py), or a postcode in a sentence. The postcode, when there is
one, says whose area it is in. Nothing is decided for the person: the text goes to a coordinator, marked "possible request".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from messaging.grammar import _tokens
from messaging.replies import distress_in
from volunteers.postcode_shapes import PostcodeError, postcode_normalise

# Written as the grammar's tokens (upper case, apostrophes dropped).
NEED_WORDS = frozenset(
    {
        "HELP", "NEED", "NEEDS", "NEEDED", "SHOPPING", "SHOP", "GROCERIES", "FOOD", "HUNGRY", "MEAL",
        "MEALS", "PRESCRIPTION", "PRESCRIPTIONS", "MEDICINE", "MEDICINES", "MEDICATION", "PHARMACY",
        "CHEMIST", "COLLECT", "COLLECTING", "DELIVER", "DELIVERY", "LIFT", "APPOINTMENT", "LONELY",
        "ALONE", "ISOLATING", "SHIELDING", "STRUGGLING", "SUPPORT", "BEFRIENDING", "CARER", "ELDERLY",
        "HOUSEBOUND", "URGENT", "FOODBANK", "HEATING",
    }
)  # fmt: skip

# A full postcode anywhere in a text ("B23 6SN", "b236sn"): checked by the real shapes afterwards.
_POSTCODE_LIKE = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}[0-9][0-9A-Z]?) ?([0-9][A-Z]{2})(?![A-Z0-9])")


@dataclass(frozen=True)
class TextRequest:
    """A text that reads like a request for help, and the postcode in it ("" when none)."""

    postcode: str = ""


def postcode_in(text: str) -> str:
    """The first full UK postcode in ``text``, normalised ("B23 6SN"); "" when there is none."""
    for outward, inward in _POSTCODE_LIKE.findall((text or "").upper()):
        try:
            return postcode_normalise(f"{outward} {inward}")
        except PostcodeError:
            continue
    return ""


# A postcode with a sentence around it ("can someone come round to B23 6SN") reads like a request
# too; with fewer words ("B23 6SN", "B23 6SN thanks") it does not.
WORDS_WITH_A_POSTCODE = 4


def request_read(text: str) -> TextRequest | None:
    """A TextRequest when ``text`` (which the grammar read as no command) reads like a request for
    help: a word of need or of distress, or a postcode in a sentence; None otherwise ("thanks",
    "wrong number", "B23 6SN" on its own)."""
    postcode = postcode_in(text)
    tokens = _tokens(text)
    if NEED_WORDS.intersection(tokens) or distress_in(text):
        return TextRequest(postcode=postcode)
    if postcode and len(tokens) - 2 >= WORDS_WITH_A_POSTCODE:  # its two halves are two tokens
        return TextRequest(postcode=postcode)
    return None
