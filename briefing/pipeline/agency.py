"""Which news agency an entry credits (Reuters, AP, PA, AFP), by its byline or a dateline:
copies of one agency report count as one report in corroboration (issue 27). Pure."""

from __future__ import annotations

import re

from ..contract import Source
from ..models import Entry

# news agencies, as an entry credits them: byline or dateline
_AGENCY_NAMES = {
    "reuters": "Reuters",
    "associated press": "AP",
    "ap": "AP",
    "pa": "PA",
    "pa media": "PA",
    "press association": "PA",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
}
_BYLINE = re.compile(
    r"\b(Reuters|Associated Press|AP|PA Media|PA|Press Association|AFP|"
    r"Agence France[- ]Presse)\b"
)
_DATELINE = re.compile(r"\((Reuters|AP|AFP|PA)\)\s*[-–—]|[-–—]\s*(Reuters|AFP|PA)\s*$")


def agency(source: Source | Entry) -> str | None:
    """The news agency an entry credits, by its byline or a dateline; None when it credits none."""
    if source.author and (m := _BYLINE.search(source.author)):
        return _AGENCY_NAMES[m.group(1).lower()]
    text = source.text
    for line in (text[:400], text[-200:]):
        m = _DATELINE.search(line)
        if m:
            return _AGENCY_NAMES[(m.group(1) or m.group(2)).lower()]
    return None
