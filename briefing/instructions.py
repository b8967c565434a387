"""Instruction-like text is not news: a line that addresses a model or the reader with commands
("ignore all previous instructions", "SYSTEM NOTICE:", "you are now…", "as an AI…") is never a
bullet or a summary line. Pure; the patterns are narrow so reporting *about* such text, or an
"AI researcher", is not caught (tested on the sample corpus and the eval slice)."""

from __future__ import annotations

import re

_PATTERNS = [
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+|of\s+)*"
    r"(?:previous|prior|above|earlier|preceding|former|existing|original)\s+"
    r"(?:instructions?|prompts?|directions?|rules|guidelines|messages?|context)",
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
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
_UPPER_SYSTEM = re.compile(r"(?:^|[\s>\]\)])SYSTEM\s*:")


def instruction_like(text: str) -> str | None:
    """The phrase that makes `text` a command to a model or reader, or None. "SYSTEM:" counts
    only in capitals ("the immune system: …" is news)."""
    m = _INSTRUCTION.search(text) or _UPPER_SYSTEM.search(text)
    return " ".join(m.group().strip(" >])").split()) if m else None


def reason(phrase: str) -> str:
    return f"instruction-like text, not news ('{phrase}')"


REASON_PREFIX = "instruction-like text"
