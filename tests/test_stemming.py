"""harness.scoring.stemming loads nltk's Porter stemmer without ``import nltk``: the same stems, and no trace left.

Reference: ``nltk.stem.porter.PorterStemmer().stem`` imported the ordinary way (what rouge-score calls), compared
with ``==`` on every distinct word of the shipped seeds and FRANK articles. Each check runs in a fresh
interpreter, because the isolated load is only taken while nltk is not imported yet (pytest's process may have
imported it through rouge-score).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_isolated_load_gives_nltks_stems_on_real_words() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt"))]
    frank = REPO.parent / "shared/external/frank/data/articles-wfactcc-json"
    texts += [json.loads(p.read_text(encoding="utf-8"))["article"] for p in sorted(frank.glob("*.json"))[:200]]
    words = sorted({w for text in texts for w in text.lower().split() if w.isalpha() and len(w) > 3})
    assert len(words) > 2000  # a real vocabulary, not a handful of cases
    out = _run(
        "import json, sys\n"
        "from harness.scoring.stemming import porter_stemmer\n"
        "stem = porter_stemmer()\n"
        "assert not [k for k in sys.modules if k == 'nltk' or k.startswith('nltk.')], 'nltk left in sys.modules'\n"
        f"words = json.loads({json.dumps(json.dumps(words))})\n"
        "mine = [stem(w) for w in words]\n"
        "from nltk.stem import porter\n"
        "theirs = [porter.PorterStemmer().stem(w) for w in words]\n"
        "print(json.dumps([[w, a, b] for w, a, b in zip(words, mine, theirs) if a != b]))\n"
    )
    assert json.loads(out) == []


def test_nltk_imports_whole_after_the_isolated_load() -> None:
    """A later ``import nltk`` runs the real package: its top-level API and rouge-score's import both work."""
    out = _run(
        "from harness.scoring.stemming import porter_stemmer\n"
        "porter_stemmer()('running')\n"
        "import nltk\n"
        "import nltk.stem.porter\n"
        "from rouge_score import tokenize\n"
        "print(callable(nltk.word_tokenize), nltk.stem.porter.PorterStemmer().stem('running'),"
        " tokenize.tokenize('Running dogs', nltk.stem.porter.PorterStemmer()))\n"
    )
    assert out.split() == ["True", "run", "['run',", "'dog']"]


def test_nltk_already_imported_is_used_as_it_is() -> None:
    out = _run(
        "import nltk.stem.porter\n"
        "from harness.scoring.stemming import porter_stemmer\n"
        "stem = porter_stemmer()\n"
        "print(type(stem.__self__) is nltk.stem.porter.PorterStemmer, stem('generously'))\n"
    )
    assert out.split() == ["True", "gener"]
