"""The crisis check's rules: the clear cases, each with a reason. Pure, no network.

`rule_reason(normalise(text))` says whether a message expresses a risk of suicide or self-harm, or an
immediate crisis, in the first person, now or soon. It must not fire on recovery stories
about the past, on third persons and news, on supportive replies, on awareness talk, or on
figures of speech ("this traffic is killing me").

How it works:

1. Normalise: Unicode compatibility forms, look-alike letters, zero-width characters,
   curly quotes, case, double-quoted spans (song titles, reported speech), leetspeak
   inside words ("su1cide", "k*ll"), spelled-out letters ("s u i c i d e"), stretched
   letters ("diiie"), missing apostrophes ("dont", "im"), slang ("kms", "unalive", "sh",
   "od", "sewerslide"), common misspellings.
2. Cut the text into clauses: one newline between clauses ("," "and" "but"), two
   between sentences (". ! ? ; :"), so every rule is one regex search over the whole
   text and `^` / `$` (multiline) mean the start and end of a clause.
3. Rules: each a precompiled regex for one way of saying it (a wish or plan aimed at
   oneself, hopelessness, being a burden, an act just done, means at hand, goodbyes...),
   behind a cheap substring gate. Most need a first-person lead: "i ..." a few harmless
   words before, or a clause that starts with the verb ("wanna die lol").
4. Suppressors, checked for the clause a match sits in: past and recovery markers
   ("used to", "two years ago", "back then", "once"), a negation or another subject
   after the last "i" ("i'm not going to...", "if you..."), and rule-specific vetoes:
   hopelessness must end its clause or be followed by an interjection ("tired of living
   honestly", not "tired of living in this town"), jobs and places ("i don't want to be
   here anymore, this job..."), breakups ("my ex is better off without me"), travel,
   medicines handled for someone else, supportive replies quoting the words back.

It is a screen, not a diagnosis: it errs towards showing the resources.

Where each part lives:
- `normalisation`: step 1, the canonical text (`normalise`), shared with the model;
- `blocks`: the `_Rule` record and the regex pieces the rules are built of;
- `suppressors`: the first-person lead, past markers and negation (step 4);
- `wishes` and `acts`: the rules themselves, in the order they are tried;
- `matching`: gates, clause and sentence bounds, and the public `rule_reason` and
  `only_negated` (steps 3 and 4).
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

from bot.safety.rules.matching import forget_words, only_negated, rule_reason
from bot.safety.rules.normalisation import normalise

__all__ = ["forget_words", "normalise", "only_negated", "rule_reason"]
