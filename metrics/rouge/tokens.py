"""ROUGE tokenizers: rouge-score's own (the default) and a Unicode-aware one, with a Porter stem cache.

``rouge_score`` is ``rouge_score.tokenize.tokenize`` exactly, i.e. ROUGE-1.5.5's tokenization (Lin 2004):
``str.lower``, every run of characters other than ``a-z0-9`` becomes a space, split on whitespace, tokens
longer than 3 characters are Porter-stemmed (ROUGE-1.5.5's ``-m``; nltk's ``PorterStemmer()`` as rouge-score
builds it, default NLTK_EXTENSIONS mode), and tokens that are no longer ``^[a-z0-9]+$`` are dropped. It
deletes every non-ASCII letter, so a Greek, Thai or Chinese text has no tokens and scores 0 against itself.

``unicode`` keeps every script: NFKC-normalise, ``str.casefold``, and take maximal runs of letters (Unicode
categories L*), combining marks (M*) and numbers (N*); everything else separates tokens. Scripts written
without spaces between words (Han, Hiragana, Katakana, Bopomofo, Thai, Lao, Khmer, Myanmar) would make a
whole clause one token, so there each letter with the marks that follow it is one token: character-level
ROUGE, as is usual for Chinese and Japanese; splitting into words would need a dictionary segmenter, whose
choices would become part of the numbers. With stemming, only ``[a-z0-9]`` tokens longer than 3
characters are stemmed (Porter is an English stemmer); other tokens are kept as they are.

Porter stemming is the slow step of rouge-score's tokenizer (it stems every token of every text, twice for
ROUGE-Lsum), but a token's stem depends on the token alone, so each distinct token is stemmed once per
process. Tokenized texts are cached too: a source is scored against every system's candidate.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from harness.scoring.stemming import porter_stemmer

ROUGE_SCORE = "rouge_score"
UNICODE = "unicode"
TOKENIZERS = (ROUGE_SCORE, UNICODE)

# rouge-score replaces each run of characters other than a-z0-9 (NON_ALPHANUM_RE) by a space and splits on
# whitespace. The same, 5x faster than the regex: non-ASCII characters encode as "?", then every byte other
# than a-z0-9 becomes a space.
_ASCII_ALPHANUMERIC = bytes(b if b in b"0123456789abcdefghijklmnopqrstuvwxyz" else 32 for b in range(256))
_VALID = re.compile(r"[a-z0-9]+")  # rouge_score.tokenize.VALID_TOKEN_RE, as a full match
# The scripts written without spaces between words, by Unicode block; only their letters (L*) are affected.
_UNSPACED_BLOCKS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3005, 0x3007),  # ideographic iteration and closing marks (々, 〆, 〇)
    (0x3040, 0x312F),  # Hiragana, Katakana, Bopomofo (not the Hangul jamo after them: Korean has spaces)
    (0x31A0, 0x31BF),  # Bopomofo Extended
    (0x31F0, 0x31FF),  # Katakana Phonetic Extensions
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xA9E0, 0xA9FF),  # Myanmar Extended-B
    (0xAA60, 0xAA7F),  # Myanmar Extended-A
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF66, 0xFF9F),  # halfwidth Katakana (NFKC maps it to Katakana; listed for completeness)
    (0x20000, 0x3FFFF),  # CJK Unified Ideographs Extensions B and later
)
_MAX_STEMS = 1_000_000  # a bound on the stem cache; real vocabularies stay far below it


class _StemCache(dict[str, str]):
    """token -> the token rouge-score ends up with: its Porter stem if it is ``[a-z0-9]+`` and longer than
    3 characters, else the token itself; ``""`` where rouge-score's final check would drop it."""

    def __init__(self, stem: Callable[[str], str]) -> None:
        super().__init__()
        self._stem = stem

    def __missing__(self, token: str) -> str:
        value = token
        if len(token) > 3 and _VALID.fullmatch(token):
            value = self._stem(token)
            if not _VALID.fullmatch(value):  # never seen, but it is rouge-score's rule
                value = ""
        if len(self) >= _MAX_STEMS:
            self.clear()
        self[token] = value
        return value


@lru_cache(maxsize=1)
def _stems() -> _StemCache:
    return _StemCache(porter_stemmer())


def _class(codepoints: list[int]) -> str:
    """A regex character class body matching exactly ``codepoints`` (sorted), as escaped ranges."""
    parts: list[str] = []
    start = previous = codepoints[0]
    for cp in [*codepoints[1:], -1]:
        if cp != previous + 1:
            parts.append(f"\\U{start:08x}" if start == previous else f"\\U{start:08x}-\\U{previous:08x}")
            start = cp
        previous = cp
    return "".join(parts)


@lru_cache(maxsize=1)
def _unicode_token() -> re.Pattern[str]:
    """``[unspaced letter][mark]*|[letter, mark or number]+``, built from this Python's Unicode database."""
    unspaced = [False] * 0x110000
    for low, high in _UNSPACED_BLOCKS:
        unspaced[low : high + 1] = [True] * (high - low + 1)
    single, mark, word = [], [], []
    for cp in range(0x110000):
        kind = unicodedata.category(chr(cp))[0]
        if kind == "L" and unspaced[cp]:
            single.append(cp)
        elif kind in "LMN":
            word.append(cp)
            if kind == "M":
                mark.append(cp)
    return re.compile(f"[{_class(single)}][{_class(mark)}]*|[{_class(word)}]+")


def tokenizer_signature(tokenizer: str) -> str:
    """The tokenizer as named in metric signatures (the Unicode one with the Unicode database's version)."""
    if tokenizer == ROUGE_SCORE:
        return "rouge_score-default"
    return f"unicode-nfkc-casefold-ucd{unicodedata.unidata_version}"


def _tokenize(text: str, tokenizer: str, stem: bool) -> tuple[str, ...]:
    """The tokens of ``text``, uncached."""
    if tokenizer == ROUGE_SCORE:
        words = text.lower().encode("ascii", "replace").translate(_ASCII_ALPHANUMERIC).decode("ascii").split()
    elif tokenizer == UNICODE:
        words = _unicode_token().findall(unicodedata.normalize("NFKC", text).casefold())
    else:
        raise ValueError(f"unknown tokenizer {tokenizer!r}; use one of {', '.join(TOKENIZERS)}")
    if not stem:
        return tuple(words)
    # filter(None, ...) drops the tokens whose stem rouge-score's final check rejects (cached as "").
    return tuple(filter(None, map(_stems().__getitem__, words)))


@lru_cache(maxsize=4096)
def tokenize(text: str, tokenizer: str, stem: bool) -> tuple[str, ...]:
    """The tokens of ``text`` (see the module docstring); cached, since a source is scored many times."""
    return _tokenize(text, tokenizer, stem)


@lru_cache(maxsize=1024)
def tokenize_lines(text: str, tokenizer: str, stem: bool) -> tuple[tuple[str, ...], ...]:
    """ROUGE-Lsum's sentences: each non-empty line of ``text`` tokenized alone, as rouge-score does
    (a line of only punctuation stays, as an empty sentence)."""
    return tuple(_tokenize(line, tokenizer, stem) for line in text.split("\n") if line)
