"""The generation cache: one SQLite file under the results folder (``results/.cache/generations.sqlite``).

Key: the sha256 of a system's identity (kind, model or command, base URL, the options that change the text,
a fingerprint of a local model or of the files a command names; never an API key) and the exact prompt. A
rerun therefore sends no request it has already had answered, and changing the prompt, the model or the
temperature misses the cache as it should.

Each answer is committed as it arrives, in WAL mode: a Ctrl-C, a crash or a killed process loses nothing
already answered, and a second ``harness eval`` may read the file while another writes. ``synchronous=NORMAL``
is durable across a process crash (the case here); only a power cut could lose the last few answers.
Failures are never cached, so the next run asks again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.generate.base import Answer

CACHE_DIR = ".cache"
CACHE_FILE = "generations.sqlite"
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS generations (
    key TEXT PRIMARY KEY,       -- sha256 of the system identity and the prompt
    text TEXT NOT NULL,         -- the generated candidate
    meta TEXT NOT NULL,         -- JSON: finish reason, token usage, seconds
    system TEXT NOT NULL,       -- JSON: the identity that was hashed (for inspection; no secrets)
    prompt_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""


def default_path(results_dir: Path) -> Path:
    return results_dir / CACHE_DIR / CACHE_FILE


def cache_key(identity: dict[str, Any], prompt: str) -> str:
    """The key of one generation: canonical JSON of the identity, then the prompt, hashed together."""
    canonical = json.dumps(identity, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{canonical}\n{prompt}".encode()).hexdigest()


class GenerationCache:
    """Read and write cached generations. Used from one thread (the driver's), which is all SQLite needs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: autocommit, so each put is its own transaction, committed on return.
            self._db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise HarnessError(
                    f"{path}: generation cache of schema {version}, this harness writes {SCHEMA_VERSION}; "
                    "delete the file or pass --no-cache"
                )
            self._db.execute(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise HarnessError(
                f"{path}: not a usable generation cache ({exc}); delete the file or pass --no-cache"
            ) from None
        except OSError as exc:
            raise HarnessError(f"{path}: cannot create the generation cache ({exc.strerror})") from None

    def get(self, key: str) -> Answer | None:
        row = self._db.execute("SELECT text, meta FROM generations WHERE key = ?", (key,)).fetchone()
        return Answer(row[0], json.loads(row[1])) if row else None

    def put(self, key: str, answer: Answer, *, identity: dict[str, Any], prompt: str) -> None:
        """Store (or replace, for ``--refresh``) one answer; committed before this returns."""
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO generations VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    answer.text,
                    json.dumps(answer.meta, sort_keys=True),
                    json.dumps(identity, sort_keys=True, ensure_ascii=False),
                    hashlib.sha256(prompt.encode("utf-8")).hexdigest(),
                    datetime.now(UTC).isoformat(),
                ),
            )
        except sqlite3.Error as exc:
            raise HarnessError(f"{self.path}: cannot write the generation cache ({exc})") from None

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM generations").fetchone()[0])

    def close(self) -> None:
        self._db.close()
