"""``openai:MODEL[@BASE_URL]``: one chat-completions request per prompt, to OpenAI or any server that speaks
the protocol (vLLM, Ollama, llama.cpp's server, TGI).

Plain httpx rather than the openai SDK: a generation is one POST and one field of the answer, and the
SDK's worth (its own retries, typed models) is what the harness must not use here: retries are the
driver's, uniform across backends and testable, and every non-2xx status, a timeout, a dropped connection
and a malformed body must each become one classified, one-line :class:`GenerationError`. The SDK would also
refuse to start without a key, which a local server does not need.

The API key is read from the environment variable named by the ``api_key_env`` option (default
``OPENAI_API_KEY``) and sent only in the Authorization header. It is not part of the identity (so not of
the cache key nor run.json), and it is scrubbed from every error message, since some servers echo it.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from harness.errors import HarnessError
from harness.generate.base import Answer, GenerationError, Outcome, one_line
from harness.generate.options import GeneratorConfig

if TYPE_CHECKING:
    import httpx

# 408 request timeout, 409 conflict (OpenAI's "try again"), 429 rate limit, and every 5xx.
_RETRY_STATUS = {408, 409, 429}


class OpenAIBackend:
    """A chat-completions endpoint; thread-safe (one pooled httpx client shared by the driver's workers)."""

    batch_size = 1
    max_workers: int | None = None

    def __init__(self, config: GeneratorConfig, *, spec: str, top_logprobs: int = 0) -> None:
        import httpx

        assert config.base_url is not None
        self._config = config
        # > 0: ask for each token's log-probabilities and this many alternatives, returned in the answer's
        # meta["logprobs"] (the judge metric's expected rating); part of the identity, so cached answers
        # without them are never served to a request that needs them.
        self._top_logprobs = top_logprobs
        self._url = f"{config.base_url}/chat/completions"
        env = config.options.api_key_env
        self._key = os.environ.get(env) or None
        if self._key is None and urlsplit(config.base_url).hostname == "api.openai.com":
            raise HarnessError(
                f"system spec {spec!r}: set {env} to your OpenAI API key (or point the spec at another server: "
                "openai:MODEL@http://HOST:PORT/v1)"
            )
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        # The timeout bounds each wait (connect, each read, write), so a server that hangs fails in that time.
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(config.options.timeout))

    def identity(self) -> dict[str, Any]:
        return {
            "kind": "openai",
            "model": self._config.target,
            "base_url": self._config.base_url,
            **self._config.options.output_options("openai"),
            **({"top_logprobs": self._top_logprobs} if self._top_logprobs else {}),
        }

    def generate(self, prompts: list[str]) -> list[Outcome]:
        return [self._one(prompt) for prompt in prompts]

    def close(self) -> None:
        self._client.close()

    def _body(self, prompt: str) -> dict[str, Any]:
        options = self._config.options
        messages = [{"role": "system", "content": options.system_prompt}] if options.system_prompt else []
        messages.append({"role": "user", "content": prompt})
        body: dict[str, Any] = {
            "model": self._config.target,
            "messages": messages,
            "temperature": options.temperature,
            "max_tokens": options.max_tokens,
        }
        if options.seed is not None:
            body["seed"] = options.seed
        if self._top_logprobs:
            body["logprobs"] = True
            body["top_logprobs"] = self._top_logprobs
        return body

    def _one(self, prompt: str) -> Outcome:
        import httpx

        timeout = self._config.options.timeout
        started = time.perf_counter()
        try:
            response = self._client.post(self._url, json=self._body(prompt))
        except httpx.TimeoutException:
            return GenerationError(f"no response from {self._url} within {timeout:g} s", retryable=True)
        except httpx.TransportError as exc:
            return GenerationError(self._scrub(f"cannot reach {self._url}: {exc}"), retryable=True)
        status = response.status_code
        if status != 200:
            retryable = status in _RETRY_STATUS or status >= 500
            detail = self._scrub(one_line(_error_detail(response), 200))
            return GenerationError(
                f"HTTP {status} from {self._url}: {detail}",
                retryable=retryable,
                retry_after=_retry_after(response) if retryable else None,
            )
        return self._answer(response, time.perf_counter() - started)

    def _answer(self, response: httpx.Response, seconds: float) -> Outcome:
        try:
            data = response.json()
        except ValueError:
            head = self._scrub(one_line(response.text, 80))
            return GenerationError(f"malformed JSON from {self._url}: {head!r}", retryable=False)
        try:
            choice = data["choices"][0]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            return GenerationError(f"response from {self._url} has no choices[0].message.content", retryable=False)
        if not isinstance(content, str):
            reason = choice.get("finish_reason") if isinstance(choice, dict) else None
            return GenerationError(
                f"response from {self._url} has no text (content {content!r}, finish_reason {reason!r})",
                retryable=False,
            )
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        meta = {
            "finish_reason": choice.get("finish_reason"),
            "prompt_tokens": usage.get("prompt_tokens"),
            "completion_tokens": usage.get("completion_tokens"),
            "seconds": round(seconds, 3),
        }
        if self._top_logprobs:
            meta["logprobs"] = _token_logprobs(choice)
        return Answer(content.strip(), meta)

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "[API key]") if self._key else text


def _token_logprobs(choice: dict[str, Any]) -> list[dict[str, Any]] | None:
    """``choices[0].logprobs.content`` as ``[{"token", "logprob", "top": [[token, logprob], ...]}]``, or None
    when the server sent none (many do not implement them)."""
    content = (choice.get("logprobs") or {}).get("content") if isinstance(choice.get("logprobs"), dict) else None
    if not isinstance(content, list):
        return None
    found = []
    for item in content:
        if not isinstance(item, dict) or not isinstance(item.get("token"), str):
            return None
        top = [
            [alt["token"], float(alt["logprob"])]
            for alt in item.get("top_logprobs") or []
            if isinstance(alt, dict)
            and isinstance(alt.get("token"), str)
            and isinstance(alt.get("logprob"), int | float)
        ]
        found.append({"token": item["token"], "logprob": item.get("logprob"), "top": top})
    return found


def _error_detail(response: httpx.Response) -> str:
    """The server's own words: OpenAI-style ``{"error": {"message": ...}}``, else the start of the body."""
    try:
        data = response.json()
    except ValueError:
        return response.text or response.reason_phrase
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    if isinstance(error, str):
        return error
    return response.text


def _retry_after(response: httpx.Response) -> float | None:
    """The Retry-After header in seconds, when the server gives one as a number."""
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
