"""Systems that generate their candidates: an OpenAI-compatible endpoint, a local transformers model, or a
command, driven over every example's prompt with a cache, bounded concurrency, retries and a progress bar.

One module per job: :mod:`~harness.generate.options` (generation options and what a generating spec names),
:mod:`~harness.generate.prompts` (the task's prompt template), :mod:`~harness.generate.cache` (the SQLite
cache), :mod:`~harness.generate.base` (what a backend returns), one module per backend, and
:mod:`~harness.generate.driver`, which turns prompts into candidates and per-example failures.

Only the standard library is imported at package level: backends import httpx, torch and transformers
inside the functions that use them, so ``harness --help`` stays instant.
"""
