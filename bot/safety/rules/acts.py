"""The crisis rules of the rest: being a burden, not being safe, suicidal thoughts,
methods, acts just done or ongoing, urges, means at hand, plans and goodbyes.
Pure, no network.

The second part of the rules, in the order they are tried: after those of `wishes`
(`matching` joins them), so order matters.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

from bot.safety.rules.blocks import (
    _ADV,
    _AWAY,
    _CARING,
    _EX,
    _HARM_WORDS,
    _INT,
    _RECENT,
    _Rule,
    _rule,
)

ACTS: tuple[_Rule, ...] = (
    # "everyone would be better off without me"
    _rule(
        "burden",
        r"\b(?:better off|happier|better|easier|fine) (?:without me|if i (?:just |simply |finally )?(?:was|were|wasn't|weren't|died|disappeared|left this world|never existed|killed myself)\b(?: (?:dead|gone|here|around|alive|anymore))?|with me gone|when i'm gone|if i'm gone|once i'm gone)"
        r"|\b(?:relieved|glad|happy|happier|thankful|grateful) (?:if|when) i(?:'m| am| was| were)? (?:just )?(?:gone|dead|died|not here|not around|disappeared|killed myself)\b"
        r"|\b(?:nobody|no one|noone|no1) (?:cares|would care|will care|gives a \w+|would give a \w+) (?:if|whether) i (?:live or die|live|die|lived or died|exist)\b"
        r"|\b(?:nobody|no one|noone|no1) (?:would|will|'d|even|would even|will even) ?(?:care|notice|miss me|cry|come|mind)(?: \w+){0,2} (?:if|when) i (?:died|was gone|disappeared|killed myself|was dead|wasn't here|left(?= *$| forever| for good| this world)|die|'m gone|'m dead)",
        ("without me", "if i", "gone", "when i"),
        veto_sentence=_EX,
    ),
    # "i'm scared of what i'll do to myself tonight", "about to do something stupid to myself"
    _rule(
        "not-safe",
        r"\b(?:scared|afraid|terrified|worried|frightened) (?:of )?what i(?:'ll| will| might| could| may)? (?:do|might do) to myself"
        r"|\bdon't trust myself (?:tonight|right now|rn|alone|anymore|to stay safe|not to)"
        rf"|\b(?:{_INT}|i'm) {_ADV}{{0,2}}do something (?:stupid|bad|drastic|dangerous|terrible|dumb|permanent|irreversible) to myself",
        ("myself",),
        negatable=True,
    ),
    _rule(
        "intent-act",
        r"\b(?:take|taking|swallow|swallowing|down|downing) (?:them|these|those|it)(?: all)?(?= *(?:$|tonight|now|right now|rn|soon))",
        ("take", "taking", "swallow", "down"),
        lead=True,
        negatable=True,
        need_text=r"\b(?:bottles?|handful|stash|all (?:my|the|of my)|every|whole|enough)\b[^\n]{0,20}\b(?:pills|meds|tablets|medication|antidepressants|painkillers)\b",
        veto_sentence=_CARING,
    ),
    # "i'm suicidal af", "feeling really suicidal tonight", "suicidal thoughts are back"
    _rule(
        "suicidal",
        r"(?:\bi'm|\bi feel|\bi've been|\bi've been feeling|\bi'm feeling|\bi get|\bi'm getting|\bi've felt|\bi'm still|^(?:\w+ )?(?:feeling|been feeling|getting|still|been|feel)|^)"
        r" ?(?:(?:so|really|very|pretty|kinda|kind of|super|extremely|a bit|a little|quite|fucking|more|incredibly|actively|passively|mildly|lowkey|highkey|literally|hella|again|still|increasingly) )*suicidal\b",
        ("suicidal",),
        negatable=True,
    ),
    _rule(
        "suicidal",
        r"(?:(?:having|have|i've had|get|getting|got|my|these|constant|more|bad|the) )*(?:\bsuicidal (?:thoughts|ideation|urges|feelings)|\bthoughts (?:of|about) (?:suicide|killing myself|ending it|ending my life|selfharm|hurting myself|dying))",
        ("thoughts", "ideation", "urges", "feelings"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "suicidal",
        r"\bsuicide (?:is|feels like|seems like|seems|looks like|feels) (?:the|my) (?:only|best|last) (?:way|option|answer|choice|solution|way out|escape)"
        r"|\b(?:suicide|dying|killing myself|ending it) is all i (?:can )?think about|\ball i (?:can )?think about is (?:suicide|dying|killing myself|ending it)"
        r"|\bonly way out is (?:suicide|death|dying)"
        r"|\bway out (?:except|but|other than|besides|apart from) (?:killing myself|suicide|dying|death|ending it|to die|to end it)"
        r"|\bonly way (?:to (?:make (?:it|this|the pain) stop|end (?:this|the pain|it)|escape|stop (?:the|this) pain|be free)|out) is (?:to )?(?:die|suicide|death|dying|kill myself|killing myself|end it|end my life)\b",
        ("suicide", "think about", "only way", "way out"),
    ),
    # "how many pills does it take to die", "googling painless ways to kill myself"
    _rule(
        "method",
        r"\bhow (?:many|much) (?:\w+ ){0,2}(?:does it take|would it take|do i need|would i need|to take|is enough|until) to (?:die|kill myself|overdose|be fatal|be lethal|kill (?:you|someone|a person))"
        r"|\b(?:painless|easiest|quickest|fastest|easy|quick|best|surest|least painful|most painless|simplest|sure|certain) (?:way|ways|method|methods) to (?:die|kill myself|end it|end my life|commit suicide)"
        r"|\b(?:googling|searching|looked up|looking up|researching|searched|google) (?:\w+ ){0,2}?(?:ways|how|methods) to (?:die|kill myself|end my life|commit suicide|overdose)"
        r"|\blethal dose\b",
        ("how", "way", "method", "lethal"),
        negatable=True,
    ),
    # an act just done: "took too many pills just now", "i just tried to kill myself"
    _rule(
        "act-done",
        r"\b(?:took|swallowed|taken|downed|drank|popped) (?:a |the )?(?:whole|entire|all|\d{2,}|too many|a handful|handful|a bunch|a bunch of|a lot|a lot of|a ton of|a bottle|bottle|every|twenty|thirty|forty|fifty|hundred|lots of|loads of|so many)\b(?: (?:of|my|the|a|bottle|pack|box|packet|these|those|them|\w+)){0,3}? ?(?:pills|meds|medication|tablets|capsules|tylenol|paracetamol|acetaminophen|ibuprofen|advil|aspirin|xanax|antidepressants|painkillers|sleeping pills|benzos|insulin|oxys?|opioids|lithium|seroquel|zoloft|prozac|melatonin|of (?:them|it))\b",
        ("took", "swallowed", "taken", "downed", "drank", "popped"),
        negatable=True,
        veto_sentence=_CARING,
    ),
    _rule(
        "act-done",
        r"\b(?:tried|attempted|tryed|trying) (?:to )?(?:kill myself|end my life|end it|hang myself|overdose|suicide|take my (?:own )?life|jump|cut my wrists|slit my wrists|drown myself)"
        r"|\bi (?:just )?(?:attempted|overdosed|made an attempt)\b",
        ("tried", "attempt", "tryed", "trying", "overdosed"),
        negatable=True,
        need_clause=_RECENT,
    ),
    _rule(
        "act-done",
        r"\b(?:cut|burned|burnt|hurt|harmed|hit|scratched|stabbed|strangled|choked|starved) myself (?:\w+ )?(?:again|on purpose|deliberately|intentionally)\b"
        r"|^(?:\w+ )?(?:selfharmed|cut|overdosed|burned myself) again\b(?: \w+)?(?= *(?:$|tonight|today|last night|this week|just now|this morning))"
        r"|\bcut (?:myself )?(?:way |so |too |really )*(?:too deep|too deeply|deep tonight)",
        ("again", "on purpose", "deliberately", "intentionally", "deep"),
        negatable=True,
    ),
    _rule(
        "act-ongoing",
        r"(?:been |keep |kept )?\b(?:selfharming|cutting (?:again|myself)|burning myself|hurting myself again|(?<=keep )hurting myself|(?<=kept )hurting myself|(?<=been )hurting myself|starving myself|relaps(?:ing|ed) (?:on|with|into) selfharm|selfharm relapse)",
        ("selfharm", "cutting", "burning myself", "hurting myself", "starving myself"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "urge",
        r"\burges? to (?:cut|selfharm|kill myself|die|hurt myself|overdose|burn myself|end it) (?:is|are|'s|keeps?|getting) (?:\w+ )?(?:strong|bad|loud|intense|overwhelming|unbearable|worse|stronger|back)"
        r"|\b(?:strong|bad|overwhelming|intense) urges? to (?:cut|selfharm|kill myself|die|hurt myself|overdose)",
        ("urge",),
        negatable=True,
    ),
    # means at hand, a plan
    _rule(
        "means",
        r"\b(?:have|got|holding|hold|bought|buying|tied|tying|made|ordered|'ve got) (?:a |the |my )?(?:rope|noose)\b",
        ("rope", "noose"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "means",
        r"\b(?:pills|meds|tablets|knife|knives|blade|blades|razor|razors|gun|rope|noose)\b (?:\w+ ){0,2}?(?:in front of me|lined up|ready\b|in my hand|next to me|right here|counted out|loaded)"
        r"|\b(?:holding|have|got|grabbed) (?:a |the |my )?(?:knife|blade|razor|gun|pills) (?:right now|in my hand|to my|against my)"
        r"|\b(?:gun|rope|noose|pills|razor|blade|knife)s? (?:\w+ ){0,2}?to (?:end it|end my life|do it with|die with|kill myself|hang myself)\b"
        r"|\bto (?:end it all|end my life|kill myself|take my (?:own )?life|hang myself)\b"
        r"|\bstockpil\w* (?:my |up )?(?:meds|pills|medication|tablets)|\b(?:saving|hoarding|collecting) (?:up )?(?:my )?(?:pills|meds|medication|tablets)",
        (
            "pills",
            "meds",
            "tablets",
            "knife",
            "knives",
            "blade",
            "razor",
            "gun",
            "rope",
            "noose",
            "stockpil",
        ),
        negatable=True,
        veto_sentence=_CARING,
    ),
    _rule(
        "means",
        r"\b(?:sitting|standing|lying|laying|i'm|here) (?:here |alone |in (?:the|my) \w+ )?with (?:a |the |my )?(?:razor|blade|razor blade|knife|gun|rope|noose|(?:bottle of )?pills)\b(?= *(?:$|right now|rn|now|tonight|again|in my hand))",
        ("razor", "blade", "knife", "gun", "rope", "noose", "pills"),
        lead=True,
        negatable=True,
    ),
    _rule(
        "act-done",
        r"\bcut (?:myself )?(?:(?:way|so|too|really|very|pretty) )+deep(?:ly|er)?\b"
        r"|\b(?:won't|can't|doesn't|isn't|will not|cannot) stop(?:ping)? bleeding|\bcan't stop the bleeding",
        ("deep", "bleeding"),
        negatable=True,
        need_text=_HARM_WORDS,
    ),
    _rule(
        "means",
        rf"{_INT} {_ADV}{{0,2}}use (?:it|them)(?: on myself)?(?= *$| tonight| now| right now| rn| soon)",
        ("use it", "use them"),
        lead=True,
        negatable=True,
        need_text=r"\b(?:gun|knife|blade|razor|pills|rope|noose)\b",
    ),
    _rule(
        "plan",
        r"\b(?:have|got|made|'ve got|know|set|picked|chose|chosen) (?:a |the |my )?(?:plan|date)(?= *(?:$|and a date|and the means|for tonight|for it|ready))",
        ("plan", "date"),
        lead=True,
        negatable=True,
        need_text=r"\b(?:date|die|dying|dead|kill\w*|suicid\w*|end it|end my life|pills|rope|noose|gun|goodbye|overdose|jump\w*|bridge|means)\b",
    ),
    _rule(
        "plan",
        r"\bdecided (?:how|when|where) (?:i'm going to|i'll|to) (?:do it|die|end it)|\bknow (?:how|when) i'm going to do it\b"
        r"|\b(?:wrote|writing|written|write|left|leaving) (?:my |a |the )?(?:goodbye|suicide|final) (?:letters?|notes?|messages?)(?! to (?:my|the|our) (?:old|former) )|\bsuicide (?:note|letter)"
        r"|(?:standing|sitting|i'm|up) (?:on|at) (?:the |a |top of (?:the|a) )?(?:edge of (?:the|a) )?(?:bridge|ledge|roof|rooftop|cliff|tracks|railway|edge)\b(?: \w+)? (?:right now|now|rn|tonight)",
        (
            "decided",
            "know how",
            "know when",
            "goodbye",
            "suicide",
            "final",
            "bridge",
            "ledge",
            "roof",
            "cliff",
            "tracks",
            "railway",
            "edge",
        ),
        negatable=True,
    ),
    # goodbyes and "not safe"
    _rule(
        "goodbye",
        r"\bthis is (?:my )?(?:final |last )?goodbye(?! to (?:my|the|our|this|that|a) )|\bmy (?:final|last) goodbye(?! to (?:my|the|our|this|that|a) )"
        r"|\b(?:won't|will not) be (?:around|here|alive) (?:after|past|by|much longer|tomorrow|for long|anymore)"
        r"|\b(?:won't|will not) be (?:a problem|a burden|your problem|anyone's problem|bothering anyone)(?: \w+)? (?:after|anymore|for much longer|much longer)"
        r"|\blast time (?:you'll|you will|anyone will|anybody will|you) (?:ever )?(?:hear from|see|talk to) me"
        r"|\bnot going to make it (?:through|past|to) (?:tonight|the night|tomorrow|morning)"
        r"|\b(?:tonight|today|tomorrow) is the (?:night|day) i (?:end it|die|kill myself|do it|end my life|go)\b"
        r"|\b(?:not sure|don't think|doubt|don't know if) (?:if |that )?i'll (?:make it|survive|last|get) (?:through |past |until |till |to )?(?:tonight|the night|this night|morning|tomorrow)\b(?! shift)"
        r"|\bcan't keep myself safe|\b(?:don't think|not sure|doubt|don't know if) i can (?:keep myself safe|stay safe)"
        r"|\b(?:scared|afraid|terrified|worried|frightened) (?:of )?what i (?:might|will|could|'ll|'m going to|may) do(?: to myself)?\b|\bdon't feel safe (?:with|around|by) myself|\bnot safe (?:with|around|from) myself"
        r"|\bi'm not safe(?= *(?:$|right now|rn|tonight|anymore|at home))",
        ("goodbye", "won't be", "last time", "make it", "safe", "is the", "what i"),
        veto_sentence=_AWAY,
    ),
    _rule(
        "goodbye",
        r"^(?:\w+ )?(?:goodbye|bye|farewell) (?:everyone|everybody|all|world|guys|friends)\b",
        ("goodbye", "bye", "farewell"),
        need_text=r"\b(?:i'm sorry|forgive me|i love you all|love you all|please don't blame|take care of)\b",
        veto_sentence=r"\b(?:see you|moving|server|weekend|vacation|trip|back (?:in|soon|on|tomorrow)|brb|later|leaving for|new)\b",
    ),
    _rule(
        "goodbye",
        r"\b(?:i've |i have )?made (?:my )?peace with (?:it|dying|death|my decision|everything|leaving)",
        ("peace",),
        need_text=r"\bready to go(?= *(?:$|now))|\bgoodbye\b",
    ),
    # a message that is only the word: "su1cide", "kms"
    _rule(
        "keyword",
        r"\A(?:suicide|suicidal|kill myself|selfharm|want to die|end it all|killing myself)\Z",
    ),
)
