"""nltk's Porter stemmer (the one rouge-score builds, ``PorterStemmer()`` in NLTK_EXTENSIONS mode), without
importing the rest of nltk.

``import nltk`` runs ``nltk/__init__.py``, which imports nearly all of nltk and, through it, scipy.stats and
scikit-learn: 1.5-2.5 s on this project's machines, most of ``harness report``'s time for a 12 x 100 results
folder, and all of it for one module of 700 lines that needs only ``re``, ``nltk.redos``, ``nltk.termsec`` and
``nltk.stem.api``. So when nltk is not imported yet, :func:`porter_stemmer` loads ``nltk/stem/porter.py`` (the
installed file: same code, same stems, same version as rouge-score's) with bare stand-ins for the ``nltk`` and
``nltk.stem`` packages, then takes every ``nltk`` entry it added out of ``sys.modules``, so a later
``import nltk`` (rouge-score's) runs the real package as if nothing had happened. Anything unexpected (another
layout in a future nltk) falls back to the ordinary import: slower, never different.

The stand-ins are visible process-wide for the few milliseconds the module takes to load, once per process:
another thread that runs ``import nltk`` in exactly that window would get the bare stand-in. The harness scores in
worker processes, one metric at a time, and imports nltk nowhere else; a program that imports nltk from its own
threads can import it first (``import nltk``), and this module then uses it as it is.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

_LOCK = threading.Lock()  # the stand-ins are visible process-wide while the module loads


@lru_cache(maxsize=1)
def porter_stemmer() -> Callable[[str], str]:
    """``nltk.stem.porter.PorterStemmer().stem``, loaded once per process (see the module's docstring)."""
    with _LOCK:
        if "nltk" not in sys.modules:
            try:
                return _isolated_porter()
            except Exception:  # noqa: BLE001 - any surprise means: import it the ordinary way
                pass
    from nltk.stem import porter

    return porter.PorterStemmer().stem  # type: ignore[no-any-return]


def _isolated_porter() -> Callable[[str], str]:
    spec = importlib.util.find_spec("nltk")  # finds the package without running its __init__
    if spec is None or spec.origin is None:
        raise ImportError("nltk is not installed")
    root = Path(spec.origin).parent
    before = set(sys.modules)
    try:
        for name, folder in (("nltk", root), ("nltk.stem", root / "stem")):
            package = types.ModuleType(name)
            package.__path__ = [str(folder)]
            sys.modules[name] = package
        porter = importlib.import_module("nltk.stem.porter")
        stemmer = porter.PorterStemmer()
        stem: Callable[[str], str] = stemmer.stem
    finally:
        for name in set(sys.modules) - before:
            if name == "nltk" or name.startswith("nltk."):
                del sys.modules[name]
    return stem
