"""Vietnamese diacritic-insensitive search over page texts and word boxes.

Delegates type "quyet dinh" on a tablet keyboard and expect "Quyết định". Folding removes
tone and vowel marks, maps đ/Đ to d and lowercases. `fold` keeps the length of its
(NFC) input, one character for one, so a match position in folded text is also the
position in the original text and snippets keep their diacritics without an offset map.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar


class _FoldTable(dict[int, str]):
    """str.translate table filled lazily: each code point maps to exactly one character."""

    def __missing__(self, cp: int) -> str:
        c = chr(cp)
        if c in "đĐ":
            r = "d"
        elif c.isspace():
            r = " "
        else:
            base = "".join(
                ch for ch in unicodedata.normalize("NFD", c) if not unicodedata.combining(ch)
            )
            r = base.lower() if base else c
            if len(r) != 1:  # e.g. "ǅ", "İ": keep length, fall back to the char itself
                r = c.lower() if len(c.lower()) == 1 else c
        self[cp] = r
        return r


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Same-length folding of NFC text: "Quyết  Định" → "quyet  dinh"."""
    return text.translate(_TABLE)


def normalize(text: str) -> str:
    """Search key for a text: folded, whitespace collapsed. "quyết định" → "quyet dinh"."""
    return " ".join(fold(unicodedata.normalize("NFC", text)).split())


def _pattern(query: str) -> re.Pattern[str] | None:
    tokens = normalize(query).split()
    if not tokens:
        return None
    # Any run of whitespace (line breaks included) between words matches one query space.
    return re.compile(" +".join(re.escape(t) for t in tokens))


@dataclass(frozen=True)
class TextHit:
    page: int  # 0-based page index
    start: int  # span of the hit in the page text (NFC-normalised)
    end: int
    snippet: str  # surrounding text with original diacritics, whitespace collapsed
    snippet_hit: tuple[int, int]  # span of the hit inside `snippet`


def _squash(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def _snippet(text: str, start: int, end: int, context: int) -> tuple[str, tuple[int, int]]:
    s0 = max(0, start - context)
    e0 = min(len(text), end + context)
    # Widen to whole words so a snippet never starts mid-word.
    while s0 > 0 and not text[s0 - 1].isspace() and start - s0 < context + 20:
        s0 -= 1
    while e0 < len(text) and not text[e0].isspace() and e0 - end < context + 20:
        e0 += 1
    before = ("…" if s0 > 0 else "") + _squash(text[s0:start]).lstrip()
    hit = _squash(text[start:end])
    after = _squash(text[end:e0]).rstrip() + ("…" if e0 < len(text) else "")
    return before + hit + after, (len(before), len(before) + len(hit))


def find_hits(
    pages: Sequence[str], query: str, *, context: int = 40, limit: int = 500
) -> list[TextHit]:
    """All hits of `query` in page texts, in page order, at most `limit`."""
    pat = _pattern(query)
    hits: list[TextHit] = []
    if pat is None:
        return hits
    for index, raw in enumerate(pages):
        text = unicodedata.normalize("NFC", raw)
        for m in pat.finditer(fold(text)):
            snippet, span = _snippet(text, m.start(), m.end(), context)
            hits.append(TextHit(index, m.start(), m.end(), snippet, span))
            if len(hits) >= limit:
                return hits
    return hits


class HasText(Protocol):
    @property
    def text(self) -> str: ...


W = TypeVar("W", bound=HasText)


def find_word_hits(words: Sequence[W], query: str) -> list[list[W]]:
    """Hits of `query` in a page's words (reading order); each hit is the words it touches.

    Words are joined with single spaces, so a phrase may span words and a part of a word
    ("dinh" in "định,") is found too; the client highlights the boxes of the touched words.
    """
    pat = _pattern(query)
    if pat is None or not words:
        return []
    starts: list[int] = []
    parts: list[str] = []
    pos = 0
    for w in words:
        starts.append(pos)
        t = fold(unicodedata.normalize("NFC", w.text)).replace(" ", "\u00a0")
        parts.append(t)
        pos += len(t) + 1
    joined = " ".join(parts)
    out: list[list[W]] = []
    for m in pat.finditer(joined):
        touched = [
            w
            for w, s, p in zip(words, starts, parts, strict=True)
            if s < m.end() and s + len(p) > m.start()
        ]
        out.append(touched)
    return out
