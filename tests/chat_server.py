"""A real chat-completions server on 127.0.0.1 for the generation tests (a thread in the test process).

It speaks the OpenAI protocol over real sockets: POST /v1/chat/completions with JSON in, JSON out. Its answer
is deterministic: the text after the prompt's first blank line (the article, for the seeds tasks' prompt),
so the generated candidate equals the source. It counts every request and the most in flight at once, and
can be told, per prompt (by a substring of it), to answer 429 or 500, to hang past the client's timeout, to
return malformed JSON, to echo the API key in an error, or to wait before every answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def answer_for(prompt: str) -> str:
    """The server's answer to a prompt: what follows its first blank line (all of it when there is none)."""
    _, sep, rest = prompt.partition("\n\n")
    return rest if sep else prompt


@dataclass
class Script:
    """What the server does. ``faults`` maps a substring of the prompt to the behaviours of the next requests
    whose prompt contains it ("429", "500", "hang", "malformed", "echo-key", "401", "empty"); once used up, it
    answers.
    ``always`` applies to every request of such a prompt, forever."""

    faults: dict[str, list[str]] = field(default_factory=dict)
    always: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before every answer
    # Hold each request until this many are in flight, or `hold_total` requests have arrived (the last few
    # cannot fill the window), or 5 s pass.
    hold_until_in_flight: int = 0
    hold_total: int = 0
    # The judge tests: an answer other than answer_for's, and the log-probabilities returned when a request
    # asks for them (OpenAI's choices[0].logprobs.content; None: the server ignores the request, as many do).
    reply: Callable[[str], str] | None = None
    logprobs: Callable[[str], list[dict[str, Any]] | None] | None = None


class ChatServer:
    """Start with :meth:`start`, stop with :meth:`stop`; ``url`` is the base URL to put after ``openai:test@``."""

    def __init__(self) -> None:
        self.script = Script()
        self.prompts: list[str] = []  # every request's user prompt, in arrival order
        self.authorization: list[str | None] = []
        self.bodies: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.release = threading.Event()  # set at stop: hanging handlers return
        self.answered = 0
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def requests(self) -> int:
        with self.lock:
            return len(self.prompts)

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(self.prompts)

    def start(self) -> ChatServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
                pass

            def do_POST(self) -> None:
                owner.handle(self)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False  # a hanging handler must not block the fixture's teardown
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length", "0"))
        body = json.loads(request.rfile.read(length))
        prompt = body["messages"][-1]["content"]
        with self.lock:
            self.prompts.append(prompt)
            self.bodies.append(body)
            self.authorization.append(request.headers.get("Authorization"))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.changed.notify_all()
            behaviour = self._behaviour(prompt)
        try:
            status, data = self._respond(body, prompt, behaviour, request.headers.get("Authorization"))
        finally:
            # Counted out before the answer is written: once the client has it, it may send the next request.
            with self.lock:
                self.in_flight -= 1
                self.answered += 1
                self.changed.notify_all()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout): nothing to answer
            pass

    def _behaviour(self, prompt: str) -> str:
        for marker, action in self.script.always.items():
            if marker in prompt:
                return action
        for marker, queue in self.script.faults.items():
            if marker in prompt and queue:
                return queue.pop(0)
        return "ok"

    def _respond(
        self, body: dict[str, Any], prompt: str, behaviour: str, authorization: str | None
    ) -> tuple[int, bytes]:
        """The status and body of the answer, after any hold, delay or hang."""
        script = self.script
        if script.hold_until_in_flight:
            with self.lock:
                self.changed.wait_for(
                    lambda: self.in_flight >= script.hold_until_in_flight or len(self.prompts) >= script.hold_total,
                    timeout=5.0,
                )
        if script.delay:
            self.release.wait(script.delay)
        if behaviour == "hang":
            self.release.wait(30.0)
        if behaviour in ("429", "500", "401"):
            message = {"429": "Rate limit reached", "500": "The server had an error", "401": "Invalid API key"}
            return int(behaviour), _json({"error": {"message": message[behaviour], "type": "test"}})
        if behaviour == "echo-key":
            key = (authorization or "").removeprefix("Bearer ")
            return 400, _json({"error": {"message": f"Incorrect API key provided: {key}"}})
        if behaviour == "malformed":
            return 200, b'{"choices": [{"message": '
        text = "" if behaviour == "empty" else answer_for(prompt)  # "empty": 200 with no content, a quiet failure
        if script.reply is not None and behaviour != "empty":
            text = script.reply(prompt)
        message = {"role": "assistant", "content": text}
        choice: dict[str, Any] = {"index": 0, "message": message, "finish_reason": "stop"}
        if body.get("logprobs") and script.logprobs is not None:
            content = script.logprobs(prompt)
            if content is not None:
                choice["logprobs"] = {"content": content}
        return 200, _json(
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model"),
                "choices": [choice],
                "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": len(text.split())},
            }
        )


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode("utf-8")
