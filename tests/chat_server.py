"""An OpenAI-compatible chat server on 127.0.0.1 for the LLM extractor's tests.

``chat_server(answer)`` serves ``POST /v1/chat/completions``: ``answer`` gets each
request's JSON body and its headers and returns the reply's text, or a status code to
answer with instead (a scripted failure).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = Callable[[dict, dict], "str | int"]


def llm_options(url: str, model: str) -> list[str]:
    """What ``ptmkg extract`` takes to ask the chat server at ``url`` with ``model``."""
    return ["--llm", "--llm-base-url", url, "--llm-model", model]


@contextlib.contextmanager
def chat_server(answer: Answer) -> Iterator[str]:
    """The server's base URL (``http://127.0.0.1:PORT/v1``) while the block runs."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            reply = answer(body, dict(self.headers))
            if isinstance(reply, int):
                self.send_response(reply)
                self.end_headers()
                self.wfile.write(b'{"error": "scripted"}')
                return
            payload = json.dumps({"choices": [{"message": {"content": reply}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
