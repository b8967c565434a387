"""The checker's vocabulary: every word list the checks use, and `stem`, the one way a word
is matched against them. Data, frozen after tuning on the labelled claims in
`tests/data/claims.json`. Words are matched by their 5-letter stem, so "agreed", "agrees" and
"agreement" are one. Pure; imports nothing of ours."""

from __future__ import annotations

from functools import lru_cache

from .lemmas import lemma

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13",
    "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18",
    "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "hundred": "100", "dozen": "12",
}  # fmt: skip
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these they
    this those through to too under until up very was we were what when where which while who
    whom why will with would you your said says say told tells according also would could mr mrs
    ms sir dr new after amid over week day today yesterday tomorrow""".split()
)
# time word -> its class: a bullet's "Wednesday" clashes with its source's "Thursday"
TIME_WORDS = {
    **dict.fromkeys("""monday tuesday wednesday thursday friday saturday sunday yesterday today
        tonight tomorrow""".split(), "day"),
    **dict.fromkeys("""january february march april may june july august september october
        november december""".split(), "month"),
    **dict.fromkeys("overnight morning afternoon evening".split(), "part"),
}
# Capitalised words that are not names, in three uses that differ (each as tuned):
# - the tokenizer (`evidence.tokenize`): a capitalised word is a name unless it is a stop word
#   or one of `COMMON_CAPS`;
# - the words check (`words.proper_nouns`), which reads capitals itself: `NOT_NAMES`, by their
#   capitalised form (a stop word is skipped only as a sentence's first word);
# - both share the sentence openers of `_OPENERS`.
_OPENERS = "breaking earlier however later meanwhile"
COMMON_CAPS = frozenset(f"{_OPENERS} asked never speaking yet".split())
NOT_NAMES = frozenset(
    w.capitalize()
    for w in f"""the a an in on at for but and he she they it this that these those his her their
    its we i our as if when while after before {_OPENERS} mr mrs ms sir dr yesterday today
    tomorrow january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday""".split()
)
# Words for amounts that open a sentence without being names ("Half of the staff …")
AMOUNT_WORDS = frozenset("""half hundreds thousands millions billions dozens tens sixty seventy
    eighty ninety thousand million billion""".split())
PRONOUNS = frozenset("he she they it i we".split())
# Not knowing (confirming, being sure) that something happened does not deny it.
KNOWING = frozenset("confirm confirmed verify verified know knew clear sure certain".split())
PREPOSITIONS = frozenset("in on at of about over from with by for into across near".split())
NEGATORS = frozenset("not no never nor neither none nobody nothing without".split())
NEG_VERBS = frozenset(
    """deny denies denied denying denial reject rejects rejected rejecting rejection refuse
    refuses refused refusing refusal dismiss dismisses dismissed dismissing exclude excludes
    excluded excluding forget forgets forgot forgotten""".split()
)
NEG_PHRASES = frozenset(
    [(v, "out") for v in ("rule", "rules", "ruled", "ruling")]
    + [(v, "to") for v in ("fail", "fails", "failed", "decline", "declines", "declined")]
)
# Words that deny what their clause says ("suggestions … were all garbage"), unless after "as"
# ("dismissed it as garbage", where the verb already denies).
LEXICAL_NEG = frozenset("garbage nonsense rubbish untrue false baseless unfounded fake".split())
CLAUSE_CONJ = frozenset("but while whereas although though because however yet".split())
CLAUSE_START = frozenset(
    """the a an any this that these those he she it they we i you there his her their its our
    every all some""".split()
)
PARENTHETICAL = frozenset("which who whom whose where".split())
PASSIVE_AUX = frozenset("be been being is are was were".split())
AUXILIARIES = PASSIVE_AUX | frozenset("has have had will would".split())
UNITS = frozenset(
    """per cent percent pc bn billion million m pounds euros dollars pence points point""".split()
)
HEDGES = frozenset(
    """may might could possibly probably likely unlikely reportedly allegedly apparently perhaps
    potentially expected considering""".split()
)
SPEAKER_NOUNS = frozenset(
    """news agency state media newspaper broadcaster spokesperson spokesman spokeswoman office
    ministry""".split()
)
# A name's role by its preposition: who acts ("by Qatar"), where from ("from Russia"), or
# whom it is done to, for or with ("to Ukraine", "for Kyiv", "with Putin", "against Russia").
ROLE_CLASS = {
    "by": "agent", "from": "source",
    **dict.fromkeys("to for towards toward into with alongside against between".split(), "other"),
}
SPEECH = frozenset(
    """said says say told tells added adds warned warns claimed claims wrote writes stated
    insisted insists argued argues announced reported reports confirmed confirms denied denies
    described describes according quoted urged urges""".split()
)
TITLES = frozenset(
    """mr mrs ms dr sir president chancellor minister secretary prime general defence defense
    foreign us uk eu nato state senator governor mayor king queen prince pope""".split()
)

# Words that say the same thing in news copy: a bullet may use any of a group for another.
GROUPS: dict[str, str] = {
    "say": """said says say saying told tells stated states added adds insisted insists argued
        claimed noted remarked explained announced described wrote writes commented
        reiterated repeated stressed emphasised emphasized suggested warned warn warns
        cautioned""",
    "attack": """attacked attack attacks struck strike strikes hit hits targeted launched launch
        fired""",
    "talk": "spoke speak speaks talked talk talks discussed discuss phone phoned conversation",
    "meet": "meet meets met meeting",
    "return": "returned return returns handed repatriated brought",
    "deploy": "deployed deploy deploys sent send sends",
    "agree": "agreed agree agrees agreement accepted accept accepts pledged signed",
    "reject": """rejected reject rejects refused refuse refuses dismissed declined denied
        denies deny""",
    "kill": "killed kill kills dead died deaths",
    "injure": "injured injuring injures wounded hurt",
    "damage": "damaged damage damages destroyed",
    "rise": """increased increase increases rise rose risen raise raised grew grow higher boosted
        climbed climb climbs upgraded""",
    "fall": """decreased decrease decreases fall fell fallen dropped drop reduced reduce lower cut
        downgraded""",
    "support": "supported support supports back backed backing endorsed endorse",
    "impose": "imposed impose imposes introduced",
    "lift": "lifted lift lifts eased scrapped",
    "oppose": "opposed oppose opposes",
    "begin": "began begin begins started start starts",
    "end": "ended end ends stopped stop stops halted halt",
    "want": "wants wanted want desire wish hopes hoped seeks sought",
    "involve": "involve involves involved involvement include includes included inclusion",
    "intercept": "intercepted intercept downed shot",
    "confirm": "confirmed confirm confirms verified",
    "criticise": "criticised criticized condemned slammed",
    "allow": "allowed allow allows permitted permit",
    "ban": "banned ban bans blocked block blocks prohibited",
    "win": "won win wins",
    "lose": "lost lose loses defeated",
    "release": "released release freed",
    "detain": "detained detain arrested arrest captured jailed",
    "join": "joined join joins",
    "leave": "left leave leaves quit",
    "expect": "expected expect expects anticipated",
    "describe": "described describe describes called dubbed",
    "speak": "speaking speech remarks comments",
}
ANTONYMS = [
    ("agree", "reject"), ("rise", "fall"), ("support", "oppose"), ("begin", "end"),
    ("confirm", "reject"), ("allow", "ban"), ("win", "lose"), ("release", "detain"),
    ("join", "leave"), ("impose", "lift"),
]  # fmt: skip
# Words ending in -ed that are not verbs.
_NOT_VERBS = frozenset("hundred need speed indeed united red bed shed seed feed breed".split())


_ES_PLURALS = ("ses", "xes", "ches", "shes", "zes")


@lru_cache(maxsize=65536)  # called millions of times on a few thousand words
def stem(word: str) -> str:
    """A crude, fast stem: drop one inflection, keep 5 letters, drop a final "e" (so "raise",
    "raised", "raising" meet, and "agree", "agreed", "agreement")."""
    if not word.isalpha():
        return word
    if word.endswith("ing") and len(word) >= 6:
        word = word[:-3]
    elif word.endswith("eed"):
        word = word[:-1]
    elif (word.endswith("ed") and len(word) >= 5) or word.endswith(_ES_PLURALS):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss") and len(word) >= 4:
        word = word[:-1]
    word = word[:5]
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


@lru_cache(maxsize=65536)
def root(word: str) -> str:
    """The key two forms of one word share, irregular ones too: the stem of its lemma
    ("shot", "shoots", "shooting": "shoot"; "won", "wins": "win"). The checks match words by it."""
    return stem(lemma(word))


TIME_STEMS = frozenset(stem(w) for w in TIME_WORDS)


@lru_cache(maxsize=1)
def _groups_by_stem() -> dict[str, frozenset[str]]:
    by_stem: dict[str, set[str]] = {}
    for name, words in GROUPS.items():
        for w in words.split():
            by_stem.setdefault(root(w), set()).add(name)
    return {k: frozenset(v) for k, v in by_stem.items()}


@lru_cache(maxsize=1)
def _stems_of_group() -> dict[str, frozenset[str]]:
    return {name: frozenset(root(w) for w in words.split()) for name, words in GROUPS.items()}


def group_stems(word: str) -> set[str]:
    """The word's stem and the stems of every word grouped with it."""
    k = root(word)
    out = {k}
    for g in _groups_by_stem().get(k, ()):
        out |= _stems_of_group()[g]
    return out


def antonyms_in(word: str, have: set[str]) -> set[str]:
    """Stems in `have` that are antonyms of `word`."""
    mine = _groups_by_stem().get(root(word), frozenset())
    out: set[str] = set()
    for a, b in ANTONYMS:
        for x, y in ((a, b), (b, a)):
            if x in mine and y not in mine:
                out |= _stems_of_group()[y] & have
    return out


def in_groups(word: str) -> bool:
    return root(word) in _groups_by_stem()


def is_predicate(word: str) -> bool:
    """A verb, as far as word lists and the -ed ending can tell."""
    if word in STOPWORDS:
        return False
    return root(word) in _groups_by_stem() or (
        len(word) >= 5 and word.endswith("ed") and word not in _NOT_VERBS
    )


# names that stand for one another in news: a country, its people's adjective and its capital
_ALIASES = [
    "uk britain british london", "us usa america american washington",
    "russia russian moscow kremlin", "ukraine ukrainian kyiv kiev", "china chinese beijing",
    "france french paris", "germany german berlin", "poland polish warsaw", "eu brussels", "nato",
]  # fmt: skip


def aliases(stems: set[str]) -> set[str]:
    """The stems and every stem that names the same country (`_ALIASES`)."""
    out = set(stems)
    for group in _ALIASES:
        words = {stem(w) for w in group.split()}
        if words & stems:
            out |= words
    return out
