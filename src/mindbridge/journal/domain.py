"""Journal entries: what a valid entry is, how it is cleaned, and how the owner's search matches.

Entries are plain text. Anything that looks like markup is removed (nh3 with no allowed tags),
so an entry can never carry script into a page that shows it, whoever reads it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import nh3

from mindbridge.kit.errors import Invalid

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_QUERY = 200


@dataclass(frozen=True)
class EntryInput:
    title: str
    body: str


def clean(text: str) -> str:
    """Plain text: tags stripped, control characters removed, line endings normalised."""
    stripped = nh3.clean(text, tags=set(), attributes={}, strip_comments=True)
    # nh3 escapes what it keeps; the journal stores text, not HTML, so undo the escaping
    # (templates escape again on output).
    stripped = (
        stripped.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#39;", "'")
        .replace("&amp;", "&")
    )
    stripped = stripped.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        ch for ch in stripped if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")
    ).strip()


def validate(title: str, body: str) -> EntryInput:
    """A cleaned entry, or `Invalid` naming every problem."""
    title_c = " ".join(clean(title or "").split())
    body_c = clean(body or "")
    problems = []
    if not body_c:
        problems.append("body: write something first")
    if len(body_c) > MAX_BODY:
        problems.append(f"body: at most {MAX_BODY} characters (this one has {len(body_c)})")
    if len(title_c) > MAX_TITLE:
        problems.append(f"title: at most {MAX_TITLE} characters")
    if problems:
        raise Invalid("; ".join(problems))
    return EntryInput(title=title_c, body=body_c)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_terms(query: str) -> list[str]:
    q = (query or "").strip()
    if len(q) > MAX_QUERY:
        raise Invalid(f"q: at most {MAX_QUERY} characters")
    return [t for t in re.findall(r"\w+", _fold(q)) if t]


def matches(terms: list[str], *texts: str) -> bool:
    """Every term appears (case- and accent-insensitive) somewhere in the entry."""
    if not terms:
        return True
    hay = _fold(" ".join(texts))
    return all(t in hay for t in terms)


def snippet(body: str, terms: list[str], width: int = 160) -> str:
    """A short excerpt around the first match (or the start), for result lists."""
    folded = _fold(body)
    pos = min((folded.find(t) for t in terms if folded.find(t) >= 0), default=0)
    start = max(0, pos - width // 3)
    text = body[start : start + width]
    return ("…" if start else "") + text + ("…" if start + width < len(body) else "")
