"""Instruction-like text is not news: a line that addresses a model or the reader with commands
("ignore all previous instructions", "SYSTEM NOTICE:", "you are now…", "as an AI…") is never a
bullet or a summary line. Pure; the patterns are narrow so reporting *about* such text, or an
"AI researcher", is not caught (tested on the sample corpus and the eval slice)."""

from __future__ import annotations

import re

_PATTERNS = [
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+|of\s+)*"
    r"(?:previous|prior|above|earlier|preceding|former|existing|original)\s+"
    r"(?:instructions?|prompts?|directions?|guidelines)",
    r"\bsystem\s+(?:message|prompt|override|instruction)s?\s*:",
    r"\bsystem\s+notice\b",
    r"\b(?:new|updated|real)\s+instructions?\s*:",
    r"\byou\s+are\s+now\s+(?:a|an|in|the|my|acting|operating|free|unrestricted|jailbroken|DAN)\b",
    r"\bas\s+an\s+ai(?:\s+(?:language\s+)?(?:model|assistant|system))?\s*,",
    r"\bas\s+an\s+ai\s+(?:language\s+)?model\b",
    r"\b(?:in|into|from)\s+your\s+(?:summary|briefing|answer|response|output|reply)\b",
    r"\b(?:dear|attention|note\s+to)\s+(?:ai|llm|chatbot|assistant|language\s+model|summari[sz]er)s?\b",
    r"\b(?:ai|llm|assistant|language\s+model|summari[sz]er)s?\s+(?:reading|processing|"
    r"summari[sz]ing)\s+this\b",
    r"\brespond\s+only\s+with\b",
    r"\bdo\s+not\s+(?:summari[sz]e|mention|report|include)\s+(?:this|the\s+following|anything)\b",
]
# Every pattern holds one of these (lowercased): a text without any is skipped quickly.
_ANCHORS = (
    "instruction", "prompt", "direction", "guideline", "system", "you are now", "as an ai",
    "your summ", "your brief", "your answer", "your respon", "your output", "your reply",
    "dear ai", "attention ai", "note to ai", "llm", "chatbot", "language model", "summaris",
    "summariz", "dear assistant", "attention assistant", "reading this", "processing this",
    "summarising this", "summarizing this", "respond only", "do not summ", "do not mention",
    "do not report", "do not include",
)  # fmt: skip
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
_UPPER_SYSTEM = re.compile(r"(?:^|[\s>\]\)])SYSTEM\s*:")


def _maybe(text: str) -> bool:
    low = text.lower()
    return any(a in low for a in _ANCHORS)


def instruction_like(text: str) -> str | None:
    """The phrase that makes `text` a command to a model or reader, or None. "SYSTEM:" counts
    only in capitals ("the immune system: …" is news)."""
    if not _maybe(text):
        return None
    m = _INSTRUCTION.search(text) or _UPPER_SYSTEM.search(text)
    return " ".join(m.group().strip(" >])").split()) if m else None


_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


def found_in(text: str) -> list[tuple[str, str]]:
    """(sentence, phrase) for each instruction-like sentence of an entry's text."""
    if not _maybe(text):
        return []
    out = []
    for m in _INSTRUCTION.finditer(text):
        out.append((_sentence_at(text, m.start(), m.end()), m.group()))
    for m in _UPPER_SYSTEM.finditer(text):
        out.append((_sentence_at(text, m.start(), m.end()), m.group()))
    return [(s, " ".join(p.strip(" >])").split())) for s, p in out]


def _sentence_at(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    right = _SENTENCE_END.search(text, end)
    return " ".join(text[left : right.end() if right else len(text)].split())


def reason(phrase: str) -> str:
    return f"instruction-like text, not news ('{phrase}')"


REASON_PREFIX = "instruction-like text"
