"""Who a report is about and who speaks in it: cheap features for story grouping. Pure.

News of a day is mostly people saying things. Two reports of one event name the same people
in their headline and first paragraph, and quote the same speaker; reports of two events on
one subject ("Healey says…", "Hegseth says…" about the same phone call) share the subject's
words but not the speaker. Both features are plain word lists (lowercased) for a TF-IDF
block; on text without capitals (some feeds are lowercased) they are empty and grouping
falls back on the words alone.
"""

from __future__ import annotations

import re

from ..check import NOT_NAMES, STOPWORDS, WORD

SPEECH_VERBS = (
    "said|says|say|told|tells|added|adds|claimed|claims|warned|warns|described|describes|denied"
    "|denies|revealed|reveals|insisted|insists|confirmed|confirms|wrote|writes|argued|argues"
    "|urged|urges|announced|announces|reported|reports|responded|hinted|quoted|stated|stressed"
)
_NAME = r"[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,3}"
# "Mr Healey said", "Scholz (the chancellor) said", "Kyiv has said"; and "…, said Mr Healey"
_BEFORE = re.compile(
    rf"({_NAME})(?:['’]s)?(?:\s+\([^)]{{0,60}}\))?\s+(?:has\s+|had\s+|have\s+|also\s+)?"
    rf"(?:{SPEECH_VERBS})\b"
)
SPEAKER_BEFORE = _BEFORE  # a name before a speech verb (tidy.Points)
_AFTER = re.compile(rf"\b(?:{SPEECH_VERBS})\s+(?:the\s+)?({_NAME})")
# words that stand where a speaker's name would ("he said", "there said"): no speaker
NOT_SPEAKERS = frozenset("he she they it we i you this that here there who".split())


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def names(headline: str, lede: str) -> str:
    """The proper nouns of the headline and the lede, lowercased, one per occurrence: what
    `check.proper_nouns` finds, with its per-word regular expression only for capitalised
    words (this runs on every item of a corpus)."""
    found = []
    for sent in _SENTENCE.split(". ".join(x for x in (headline, lede) if x)):
        for i, w in enumerate(WORD.findall(sent)):
            if not w[:1].isupper():
                continue
            if w.endswith(("'s", "’s")):
                w = w[:-2]
            if w in NOT_NAMES or len(w) < 2 or (i == 0 and w.lower() in STOPWORDS):
                continue
            found.append(w.lower())
    return " ".join(found)


def speakers(headline: str, lede: str, rest: str, limit: int) -> str:
    """The last word of each name that speaks ("X said", "said X") in the headline and the
    first `limit` characters of the body, lowercased."""
    text = "\n".join(x for x in (headline, lede, rest[: max(0, limit - len(lede))]) if x)
    found = [m.group(1) for m in _BEFORE.finditer(text)]
    found += [m.group(1) for m in _AFTER.finditer(text)]
    words = (re.sub(r"['’]s$", "", f.split()[-1]).lower() for f in found)
    return " ".join(w for w in words if w not in NOT_SPEAKERS)
