"""``command:CMD``: run a command once per example, the prompt on its stdin, its stdout the candidate.

The command line is split as a POSIX shell would split it (``shlex``) but run without a shell, so a prompt
can never be interpreted as shell syntax; write ``command:sh -c '...'`` to get one. It runs in the folder
the spec was written relative to (the task file's folder for a task's systems, the current folder on the
command line), like ``file:`` paths. A non-zero exit, a timeout or stdout that is not UTF-8 fails that
example, with the last line of stderr in the message; a command is deterministic as far as the harness
knows, so it is not retried.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.generate.base import Answer, GenerationError, Outcome, one_line
from harness.generate.options import GeneratorConfig


class CommandBackend:
    """One process per prompt; runs in parallel up to ``--concurrency``."""

    batch_size = 1
    max_workers: int | None = None

    def __init__(self, config: GeneratorConfig, *, spec: str) -> None:
        assert config.cwd is not None
        self._config = config
        self._cwd = config.cwd
        self._argv = shlex.split(config.target)
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()
        program = self._argv[0]
        if os.sep in program:
            found = self._cwd / Path(program).expanduser()
            if not (found.is_file() and os.access(found, os.X_OK)):
                raise HarnessError(f"system spec {spec!r}: {found} is not an executable file")
        elif shutil.which(program) is None:
            raise HarnessError(f"system spec {spec!r}: command {program!r} not found on PATH")

    def identity(self) -> dict[str, Any]:
        # Files the command line names (a script, a config) are hashed: editing the script must miss the cache.
        files = {}
        for arg in self._argv:
            path = self._cwd / Path(arg).expanduser()
            if path.is_file():
                files[arg] = hashlib.sha256(path.read_bytes()).hexdigest()
        return {"kind": "command", "command": self._config.target, "cwd": str(self._cwd), "files": files}

    def generate(self, prompts: list[str]) -> list[Outcome]:
        return [self._one(prompt) for prompt in prompts]

    def close(self) -> None:
        # After a Ctrl-C the driver does not wait for its workers: end the commands they started.
        with self._lock:
            running = list(self._running)
        for process in running:
            process.kill()

    def _one(self, prompt: str) -> Outcome:
        timeout = self._config.options.timeout
        started = time.perf_counter()
        try:
            process = subprocess.Popen(
                self._argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self._cwd
            )
        except OSError as exc:
            return GenerationError(f"command could not start: {exc.strerror or exc}", retryable=False)
        with self._lock:
            self._running.add(process)
        try:
            stdout, stderr = process.communicate(prompt.encode("utf-8"), timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
            return GenerationError(f"command timed out after {timeout:g} s{_last_line(stderr)}", retryable=False)
        finally:
            with self._lock:
                self._running.discard(process)
        done = subprocess.CompletedProcess(self._argv, process.returncode, stdout, stderr)
        if done.returncode != 0:
            return GenerationError(
                f"command exited with status {done.returncode}{_last_line(done.stderr)}", retryable=False
            )
        try:
            text = done.stdout.decode("utf-8")
        except UnicodeDecodeError as exc:
            return GenerationError(f"command wrote stdout that is not UTF-8 (byte offset {exc.start})", retryable=False)
        return Answer(text.strip(), {"seconds": round(time.perf_counter() - started, 3)})


def _last_line(stderr: bytes | None) -> str:
    """``: <stderr's last non-empty line>``, or nothing."""
    lines = [line for line in (stderr or b"").decode("utf-8", "replace").splitlines() if line.strip()]
    return f": {one_line(lines[-1], 200)}" if lines else ""
