"""Sentences fit to stand alone as bullets: tidied, quotes kept whole, checked for form, and
live-blog wording made safe out of its blog. Pure, cheap (regular expressions only).

`tidy` repairs what can be repaired faithfully: a quotation that runs on into the next
sentence is closed where this one ends, one that began in the previous sentence is opened
where this one starts, and the words inside stay as written. `flaws` names what cannot be
repaired: such a sentence is not used. `deixis` rewrites "have now spoken" as "spoke"; the
words it leaves out ("now", "just") are not facts, and the bullet still passes the checker.
"""

from __future__ import annotations

import re

from .features import NOT_SPEAKERS, SPEAKER_BEFORE, SPEECH_VERBS

MIN_WORDS = 7  # shorter sentences are fragments ("Here is what he said:")

_OPENERS = re.compile(
    r"^(?:Meanwhile|However|Separately|Elsewhere|Additionally|Also|And|But|So|Now|Yesterday"
    r"|Today|Earlier|Later|Earlier today|Last night|In addition|As we've been reporting"
    r"|As we reported earlier)\s*,?\s+",
    re.IGNORECASE,
)
_STRAIGHT = '"'
_OPEN, _CLOSE = "\u201c", "\u201d"
# A straight quote that opens: at the start, or after a space, colon or bracket, before a word.
_OPENS = re.compile(r'(?:^|(?<=[\s(\[:—–-]))"(?=[^\s"])')

# Ungrammatical in the source, or cut: not used. Each (reason, pattern).
_FLAWS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "the Trump administration's on the Ukraine war": a possessive with no noun after it
    ("a possessive with no noun", re.compile(
        r"\b(?!(?:it|that|there|here|what|who|he|she|let|where|how|when)['’]s\b)"
        r"[A-Za-z]+['’]s\s+(?:on|in|of|at|to|for|with|by|from|and|or|but|is|are|was|were|the|a"
        r"|an)\b")),
    # "the country leaders should up their defence spending": a modal with no verb
    ("a modal verb with no verb", re.compile(
        r"\b(?:should|must|could|would|might|shall)\s+(?:up|off|out|the|a|an|of|and|their|its"
        r"|his|her)\b")),
    # "drones had h violated": a stray letter between words
    ("a stray letter", re.compile(r"\b[a-z]{2,}\s+[b-hj-z]\s+[a-z]{2,}\b")),
)
_QUOTED = re.compile(r'"[^"]*"|\u201c[^\u201d]*\u201d')
_SPEECH = re.compile(rf"\b(?:{SPEECH_VERBS}|according)\b")
# Live-blog deixis: "have now spoken" -> "spoke" (present perfect with now/just -> past)
_NOW = re.compile(r"\b(has|have)\s+(?:now|just)\s+(?:also\s+)?([a-z]+)\b")
_IRREGULAR = {
    "spoken": "spoke", "written": "wrote", "given": "gave", "taken": "took", "seen": "saw",
    "begun": "began", "risen": "rose", "fallen": "fell", "shown": "showed", "known": "knew",
    "chosen": "chose", "broken": "broke", "driven": "drove", "flown": "flew", "grown": "grew",
    "drawn": "drew", "gone": "went", "done": "did", "become": "became", "come": "came",
    "sworn": "swore", "thrown": "threw", "withdrawn": "withdrew", "struck": "struck",
    "met": "met", "made": "made", "said": "said", "told": "told", "held": "held", "sent": "sent",
    "won": "won", "lost": "lost", "left": "left", "led": "led", "hit": "hit", "set": "set",
    "put": "put", "cut": "cut", "shot": "shot", "sold": "sold", "paid": "paid", "kept": "kept",
}  # fmt: skip
# Words that point back into the blog ("those goals", "the move"): the sentence needs context.
ANAPHORA = re.compile(
    r"^(?:He|She|They|It|This|That|These|Those|His|Her|Their|Its|The move|The comments"
    r"|The decision|The announcement)\b|\b(?:those|these)\s+(?!who\b|which\b|of\b)[a-z]+"
    r"|\b(?:of|in|on|for|to|with|from|by|about)\s+(?:that|this)\s+(?!is\b|was\b)[a-z]+",
    re.IGNORECASE,
)
# The briefing's own day, said from inside the blog: "in Brussels today" -> "in Brussels".
_TODAY = re.compile(r"\s+(?:earlier\s+|later\s+)?(?:today|this (?:morning|afternoon|evening))\b")


def tidy(sentence: str) -> str:
    """Drop a leading discourse marker, fold spaces, start with a capital, and keep quotations
    whole: a quote left open is closed at the end, one closed without its opening is opened
    at the start."""
    s = _OPENERS.sub("", sentence.strip(), count=1)
    s = re.sub(r"\s+", " ", s)
    if s and s[0].islower() and _is_cased(s):
        s = s[0].upper() + s[1:]
    return _balance(s)


def _is_cased(s: str) -> bool:
    return any(c.isupper() for c in s[1:])


def _balance(s: str) -> str:
    if s.count(_OPEN) + s.count(_CLOSE) and s.count(_STRAIGHT) == 0:
        if s.count(_OPEN) > s.count(_CLOSE):
            return _close(s, _CLOSE)
        if s.count(_CLOSE) > s.count(_OPEN):
            return _OPEN + s
        return s
    if s.count(_STRAIGHT) % 2 == 0:
        return s
    first = s.index(_STRAIGHT)
    if _OPENS.match(s, first) or (first == 0):
        return _close(s, _STRAIGHT)  # opens here, runs on into the next sentence
    return _STRAIGHT + s  # began in the sentence before


def _close(s: str, mark: str) -> str:
    """Close a quotation at the end of the sentence, inside its final punctuation's place
    as British and American copy both allow: after a full stop, before nothing else."""
    s = s.rstrip()
    return s + mark


def flaws(sentence: str) -> list[str]:
    """Why a sentence cannot stand as a bullet: too short, ungrammatical in its source
    (a dangling possessive, a modal with no verb, a stray letter), unbalanced
    brackets, or it only introduces what follows ("…:")."""
    out = []
    words = sentence.split()
    if len(words) < MIN_WORDS:
        out.append(f"a fragment of {len(words)} words")
    for why, pattern in _FLAWS:
        if pattern.search(sentence):
            out.append(why)
    if sentence.count("(") != sentence.count(")"):
        out.append("unbalanced brackets")
    if sentence.rstrip(' "\u201d').endswith(":"):
        out.append("introduces what follows")
    if sentence.startswith(('"', _OPEN)) and not _SPEECH.search(_QUOTED.sub(" ", sentence)):
        out.append("a quotation with no speaker")
    return out


def deixis(sentence: str) -> str:
    """Live-blog time made plain: "have now spoken" -> "spoke", "has just agreed" ->
    "agreed" (a present perfect with "now" or "just"; other verbs keep "has"/"have"), and
    "today", "this morning" go (the briefing is of that day)."""

    def past(m: re.Match[str]) -> str:
        verb = m.group(2)
        if verb in _IRREGULAR:
            return _IRREGULAR[verb]
        if verb.endswith("ed"):
            return verb
        return f"{m.group(1)} {verb}"

    return _TODAY.sub("", _NOW.sub(past, sentence))


def needs_context(sentence: str) -> bool:
    """It points back at something the reader has not seen ("He said", "those goals")."""
    return bool(ANAPHORA.search(sentence))


_PRONOUN = re.compile(r"\b(?:he|she|they)\b", re.IGNORECASE)


class Points:
    """Who the points of a list speak for. "Here is what he said in five points:" followed by
    list items: each item is that speaker's point, not a fact in the report's own voice, and
    becomes "Hegseth said: …". The speaker is the name before a speech verb in the
    introduction, else (a pronoun there) the last one named in the entry so far."""

    def __init__(self) -> None:
        self.last: str | None = None  # the last speaker named in the entry
        self.speaker: str | None = None  # the speaker of the list being read

    def read(self, kind: str, text: str) -> str | None:
        """The speaker a paragraph's sentences are given to (list items only), and note who
        speaks in it."""
        if kind == "li":
            return self.speaker
        found = (m.group(1) for m in SPEAKER_BEFORE.finditer(text))
        named = [f for f in found if f.split()[0].lower() not in NOT_SPEAKERS]
        self.speaker = None
        if text.rstrip().endswith(":") and _SPEECH.search(text):
            who = named[-1] if named else (self.last if _PRONOUN.search(text) else None)
            self.speaker = surname(who) if who else None
        if named:
            self.last = named[-1]
        return None


def surname(name: str) -> str:
    """How a report names a speaker the second time: "Pete Hegseth" -> "Hegseth"."""
    return re.sub(r"['’]s$", "", name.split()[-1])
