"""The crisis rules of wishes and intentions: to die, to harm oneself, to end it, and
hopelessness ("no reason to live"). Pure, no network.

The first part of the rules, in the order they are tried: `matching` tries these, then
those of `acts`, and the first that matches gives the reason, so order matters.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

from bot.safety.rules.blocks import (
    _ACT,
    _ADV,
    _DIE,
    _END,
    _END_IT,
    _HARM_WORDS,
    _INT,
    _INT_DIE,
    _INTERJ,
    _PLACE,
    _SELF,
    _SUPPORT,
    _WHERE,
    _Rule,
    _rule,
)

WISHES: tuple[_Rule, ...] = (
    # "i want to kill myself", "thinking of unaliving myself", "voices telling me to kill myself"
    _rule(
        "intent-self",
        rf"{_INT} {_ADV}{{0,2}}(?:(?:how|ways?|when) to )?{_SELF}",
        ("myself",),
        negatable=True,
    ),
    # a bare fragment: "kms", "kill myself fr this time"
    _rule(
        "intent-self",
        rf"^(?:{_INTERJ} )*(?:kill|killing|end|off|offing) myself\b(?! (?:with|by|over|at|for|doing|laughing|lol$))",
        ("myself",),
    ),
    _rule(
        "intent-self",
        r"\b(?:drink|drinking|use|using) (?:until|till|til) i (?:die|'m dead|am dead|pass out and die)\b",
        ("until", "till", "til"),
        lead=True,
        negatable=True,
    ),
    # "i want to die", "wanna die lol", "i'd rather be dead", "i'm ready to die"
    _rule(
        "wish-to-die",
        rf"{_INT_DIE} {_ADV}{{0,2}}{_DIE}",
        ("die", "dead"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "wish-to-die",
        r"\b(?:feel like (?:i want to )?|can't stop thinking about |keep thinking about |obsessed with )(?:dying|dieing|being dead)\b(?! (?:my|the|her|his|your|some) (?:hair|shirt|clothes|jeans|beard|eyebrows|nails|roots|fabric)\b)",
        ("dying", "dieing", "being dead"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "wish-to-die",
        r"\bwish(?:ing)? (?:i|i'd|i had) (?:(?:was|were|could be|'m|am|had|could|would) )?(?:just )?(?:dead(?! asleep| tired| serious| on my feet| inside)|die|never (?:been )?born|gone|not alive|not here|not born|disappear forever|never existed)"
        rf"|\bhope to (?:just )?die{_END}|\bhope i (?:just )?(?:die(?! before i (?:get|grow) old)|(?:don't|never|won't) wake up(?! (?:late|early|too|in time|on time|before|after|at|until|with)\b)|get hit by|get killed|don't make it|drop dead)"
        r"|\brather be dead\b(?! than)|\brather die\b(?! than)"
        r"|\brather (?:die|be dead) than (?:keep |go on |continue |carry on )?(?:living|live|being alive|be alive|wake up|waking up|face another day|go on|feel this way)",
        (
            "dead",
            "die",
            "born",
            "gone",
            "wake",
            "hit by",
            "killed",
            "not here",
            "not alive",
            "make it",
        ),
        negatable=True,
    ),
    _rule(
        "wish-to-die",
        r"\b(?:dying|death|being dead|not existing|not waking up|never waking up) (?:sounds|seems|feels|would be|would feel|is) (?:so |really |kind of |kinda |pretty |more and more )?(?:peaceful|nice|good|better|easier|tempting|appealing|comforting|like (?:a )?relief|like the answer|like freedom)\b",
        ("dying", "death", "dead", "existing", "waking"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "wish-to-die",
        r"\b(?:disappear|vanish|go away|be gone)\n+(?:[^\n]{0,30}\n+)?(?:\w+ )?(?:permanently|forever|for good)\b"
        r"|\b(?:disappear|vanish)\n+never (?:come|coming) back\b"
        r"|\b(?:go to sleep|fall asleep|sleep|close my eyes)\n+(?:just )?(?:never|not) wake up\b",
        ("permanently", "forever", "for good", "wake up"),
        past_ok=True,
    ),
    # "thinking of ending it", "i'm going to take all my pills tonight", "considering suicide"
    _rule(
        "intent-act",
        rf"{_INT} {_ADV}{{0,2}}(?:(?:how|ways?|when) to )?{_ACT}",
        (
            "suicide",
            "end",
            "selfharm",
            "overdos",
            "cut",
            "wrist",
            "jump",
            "pill",
            "med",
            "tablet",
            "crash",
            "wreck",
            "driv",
            "bleed",
            "forever",
            "permanently",
            "for good",
            "wake",
            "exist",
            "alive",
            "be here",
            "be around",
            "gone",
            "leave this",
            "life",
            "pain",
            "living",
            "breathing",
        ),
        lead=True,
        negatable=True,
    ),
    _rule(
        "intent-act",
        rf"\b(?:telling|tells|told|urging|pushing|begging) me to {_ADV}{{0,2}}(?:{_ACT}|die\b)",
        ("me to",),
        negatable=True,
    ),
    _rule(
        "intent-act",
        rf"\bmy plan is to {_ADV}{{0,2}}(?:{_ACT}|{_SELF}|die\b)",
        ("plan",),
        negatable=True,
    ),
    _rule(
        "intent-act",
        rf"(?:{_INT} {_ADV}{{0,2}})?\b(?:take|taking|swallow|swallowing|down|downing) (?:them|these|those|it) all\b|\b(?:take|taking|swallow|swallowing) all of (?:them|these|those)\b",
        ("all",),
        lead=True,
        negatable=True,
        need_text=r"\b(?:pills|meds|medication|tablets|antidepressants|painkillers|sleeping pills)\b",
    ),
    _rule(
        "intent-act",
        rf"(?:i'm |am |are )?\bending (?:it|it all|things|everything|my life)\b{_END_IT}",
        ("ending",),
        lead=True,
        negatable=True,
    ),
    _rule(
        "intent-act",
        rf"{_INT} (?:jump|jumping)(?= *$)",
        ("jump",),
        lead=True,
        negatable=True,
        need_text=r"\b(?:roof|rooftop|bridge|ledge|edge|balcony|cliff|building|window|overpass|tower|tracks)\b",
    ),
    # "i used to cut and now i want to do it again tonight"
    _rule(
        "relapse-intent",
        rf"(?:{_INT}|i'm) {_ADV}{{0,2}}(?:do it|doing it|try it|trying it|try|trying|attempt|attempting|cut|cutting|selfharm|selfharming|relapse|relapsing) again\b",
        ("again",),
        lead=True,
        negatable=True,
        need_text=_HARM_WORDS,
    ),
    # "i don't want to live anymore", "dont wanna be here anymore", "cant go on"
    _rule(
        "no-will-to-live",
        r"\b(?:don't|no longer|never) (?:(?:really|even|honestly|just|actually|truly) )?(?:want to|wish to|feel like|care to) (?:\w+ )?(?:live\b(?! forever| with| in(?! this world| this life)| like (?!this|that)| there| here| near| together| alone| at| on)"
        r"|be alive|exist|be here|wake up|go on(?= *(?:$|anymore|like this|living|any longer|with life))|keep going|keep living|continue living|be around|be in this world|see tomorrow|be on this earth|survive)",
        ("don't", "no longer", "never"),
        lead=True,
        need_end=True,
        veto_sentence=_PLACE,
    ),
    _rule(
        "no-will-to-live",
        r"\bcan't (?:go on|keep going|keep living|live like this|do life|continue living|keep doing this|do this life)(?= *(?:$|like this|anymore|any longer|living|no more|with life|with this life|this way))",
        ("can't",),
        lead=True,
        veto_sentence=_PLACE,
    ),
    _rule(
        "hopeless",
        rf"\b(?:no|any|a single) (?:reason|will) (?:left )?(?:for me )?to (?:live\b(?! {_WHERE})|go on|keep going|stay alive|be alive|be here|keep living|wake up|exist)\b"
        r"|\bnothing (?:left )?(?:to live for|worth living for)\b"
        r"|\b(?:losing|lost|lose) (?:the |my |all )?(?:will|reason) to (?:live|go on|keep going|keep living)\b"
        r"|\bno (?:point|purpose|use|sense) (?:(?:in|to|of) )?(?:living|life|going on|being alive|keep living|staying alive|being here|me being here|my existence|existing)\b"
        r"|\bwhat's the point (?:of|in) (?:living|life|being alive|going on|existing|me being here|staying alive)\b"
        r"|\bsee (?:the|any) point (?:in|of) (?:living|life|going on|being alive|existing)\b"
        r"|\b(?:life|living|my life|life's|my life's) (?:isn't|is not|ain't|not|no longer|is no longer|isn't even|not even|no) ?worth (?:living|it anymore)"
        r"|\b(?:want|need) (?:it|it all|everything|all of it|this all|my life|this life|all of this) (?:all )?to (?:end|be over|stop)(?= *(?:$|forever|for good|permanently|now|already|please|so bad|tonight))"
        r"|\bwant out of (?:this|my) (?:life|world|existence)\b"
        r"|\bwant the pain to (?:stop|end) (?:forever|for good|permanently)"
        r"|\bwhy am i (?:still |even )?(?:alive|breathing)\b|\bwhy am i still here\b",
        ("reason", "will to", "nothing", "point", "worth", "want", "need", "why am i"),
        need_end=True,
        veto_sentence=_PLACE,
        veto_text=_SUPPORT,
    ),
    _rule(
        "hopeless",
        rf"(?:(?:so|really|just|honestly) )*(?:\btired of (?:living\b(?! {_WHERE})|being alive|life|existing|being here)|\bsick of (?:living\b(?! {_WHERE})|being alive|existing|life)"
        rf"|\bhate being alive|\bdone with (?:life|living\b(?! {_WHERE})|everything(?! (?:today|tonight|for (?:today|tonight|now|the day|the week)))|being alive|this life|it all)\b|\bdone living\b(?! {_WHERE})"
        r"|\bnot going to be (?:here|around|alive) (?:tomorrow|after tonight|much longer|by morning|for long)"
        r"|\bbetter off dead\b"
        r"|\b(?:tired of|sick of|done) (?:fighting|trying|struggling) to (?:stay alive|live|keep going|keep living|survive|be alive|be here|exist)\b"
        r"|\bgive up on (?:life|living)|\bgiving up on (?:life|living)|\bshouldn't (?:be alive|be here|exist|have been born|still be here)"
        r"|\bdon't deserve to (?:live|be alive|exist|be here)|\bcan't see (?:a|any) future|\b(?:have|see) no future"
        r"|\bdeserve to (?:hurt|suffer|be hurt|bleed|be in pain|feel pain|be punished))",
        (
            "tired of",
            "sick of",
            "alive",
            "done",
            "give up",
            "giving up",
            "shouldn't",
            "deserve",
            "future",
            "be here",
            "be around",
        ),
        lead=True,
        need_end=True,
        veto_sentence=_PLACE,
    ),
)
