"""What a run records about where its numbers came from: package versions, the project's commit."""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

# Packages whose versions can change a number or a result file; recorded in every run.
RECORDED_PACKAGES = ("harness", "rouge-score", "nltk", "pysbd", "numpy", "pyyaml", "typer")


def package_versions(names: tuple[str, ...] = RECORDED_PACKAGES) -> dict[str, str | None]:
    """Installed version of each package, ``None`` where it is not installed."""
    found: dict[str, str | None] = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def project_commit() -> dict[str, Any]:
    """The git commit of the harness checkout and whether it had uncommitted changes (``None`` outside git)."""
    root = Path(__file__).resolve().parents[2]

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit, "dirty": bool(status) if commit else None}


def environment() -> dict[str, str]:
    """Python and platform, which can change floating-point results of some metrics."""
    return {"python": sys.version.split()[0], "platform": platform.platform()}
