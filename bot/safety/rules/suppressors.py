"""What cancels a crisis rule's match: no first-person lead, the past, a negation.

Checked for the clause a match sits in (`matching`): past and recovery markers ("used
to", "two years ago", "back then"), a negation or another subject after the last "i"
("i'm not going to...", "if you..."), and whether the clause starts at the match or "i"
comes a few harmless words before it. Pure, no network.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import re

from bot.safety.rules.blocks import _END, _FW, _INTERJ

_PAST = re.compile(
    r"\bused to\b|\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|fifteen|twenty|few|several|many|couple(?: of)?) (?:years?|yrs?|months?|weeks?) ago\b"
    r"|\blast (?:year|month|summer|winter|spring|fall|autumn)\b|\bin (?:19|20)\d\d\b"
    r"|\bwhen i was\b|\bback then\b|\bback in (?:the day|high school|school|college|uni|19|20)"
    r"|\b(?:years?|months?|days?|weeks?) (?:clean|sober|free)\b|\b(?:clean|sober|free) (?:for|since)\b"
    r"|\bsurvived\b|\banniversary\b|\bin the past\b|\bremember when\b|\blesson learned\b"
    r"|\bonce\b(?! (?:i|i'm|you|again|more|it's|this|that|everyone|they|he|she|it))"
    r"|\bat (?:my|the) lowest\b|\bi was (?:a|in) (?:kid|teen|teenager|child)\b|\bas a (?:kid|teen|teenager|child)\b"
    r"|\bhad (?:been|wanted)\b|\bthat night\b|\bthose days\b|\bthat time\b|\bback when\b"
)
_END_RX = re.compile(_END, re.M)
_LAST_I = re.compile(r".*\bi(?:'m|'ve|'ll|'d)?\b", re.S)
_NEG = re.compile(
    r"\b(?:not|never|no|don't|didn't|won't|wouldn't|isn't|wasn't|aren't|haven't|hasn't|nothing"
    r"|stop|stopped|quit|without|against|avoid|instead|rather than|no longer|nobody|refuse|refused"
    r"|if you|you|he|she|they|someone|somebody|anyone|anybody|people)\b[^\n]*$"
)


# First-person lead, checked on the clause text before a match: the clause starts there
# (an implied "i": "wanna die lol"), or "i ..." comes at most four harmless words before.
_LEAD = re.compile(rf"(?:^(?:{_INTERJ} )*|\bi(?:'m|'ve|'ll|'d)? (?:{_FW} ){{0,4}}|\bi)\Z")


def _negated(before: str) -> bool:
    """A negation or another subject between the last "i" and the match: "i'm not going to"."""
    last_i = _LAST_I.match(before)
    return bool(_NEG.search(before, last_i.end() if last_i else 0))
