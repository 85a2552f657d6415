"""Sentence splitting that needs no downloaded data, for rougeLsum and ``lead:K``.

nltk's punkt model cannot be downloaded on offline machines, so the harness uses pysbd (Sadvilkar &
Neumann 2020, "PySBD: Pragmatic Sentence Boundary Disambiguation"), a rule-based splitter whose
abbreviation and number rules ship with the package. Newlines are always boundaries (rouge-score's
convention is one sentence per line), and each line is further split by pysbd, so text that is already
one sentence per line keeps its lines and a paragraph per line is split into its sentences.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import version


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    # clean=False: return the text's own characters, so nothing the splitter does changes a token.
    return pysbd.Segmenter(language="en", clean=False)


@lru_cache(maxsize=1)
def splitter_name() -> str:
    """The splitter's name and version, as recorded in metric signatures."""
    return f"lines+pysbd-{version('pysbd')}"


def split_sentences(text: str) -> list[str]:
    """Split text into sentences: each non-blank line, split further by pysbd; whitespace trimmed."""
    sentences: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        parts = [s.strip() for s in _segmenter().segment(line) if s.strip()]
        # pysbd can lose text (it returns nothing for "the\t. . . the"): a sentence split must never drop or
        # change a character, so a line whose pieces do not spell it out again is kept whole.
        if "".join("".join(parts).split()) != "".join(line.split()):
            parts = [line]
        sentences.extend(parts)
    return sentences
