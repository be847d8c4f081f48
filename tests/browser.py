"""A real headless Chromium driven through the DevTools protocol over a pipe (stdlib only).

Chromium is started with ``--remote-debugging-pipe``: it reads protocol commands
from file descriptor 3 and writes answers and events to descriptor 4, each a JSON
message ended by a NUL byte. No port is opened, and every network feature is off
(no DNS, a dead proxy, no background services, a fresh profile), so a page can
only see what is on disk.

    with Browser(tmp_path / "profile") as browser:
        browser.open(page)                       # waits for the load event
        browser.evaluate("document.title")       # a JSON value back
        png = browser.screenshot()               # PNG bytes of the viewport

Without Chromium the tests that use it are skipped, except on CI (CI=true), where
.ci/run installs Debian's chromium and a missing browser is a failure.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

from servers import require_program

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # WebGL without a GPU: Chromium's software renderer, which it only offers when asked.
    "--enable-unsafe-swiftshader",
    "--use-angle=swiftshader",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--remote-debugging-pipe",
)


def chromium() -> str:
    return require_program("chromium", "Debian: apt-get install chromium", "chromium-browser")


def run_chromium(page: Path, profile: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """One headless Chromium run on ``page`` with extra ``options`` (``--dump-dom``,
    ``--screenshot=FILE``), no DevTools: for pages that need no interaction."""
    profile.mkdir(parents=True)
    flags = [flag for flag in FLAGS if flag != "--remote-debugging-pipe"]
    command = [
        chromium(),
        *flags,
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
        *options,
        page.as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


class BrowserError(AssertionError):
    """The browser answered a command with an error, or a script in the page threw."""


class Browser:
    """One headless Chromium with one page, driven command by command."""

    def __init__(self, profile: Path, *, width: int = 1200, height: int = 900) -> None:
        profile.mkdir(parents=True, exist_ok=True)
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()
        # bash puts the two pipe ends on descriptors 3 and 4, where Chromium looks (dash only
        # redirects descriptors 0 to 9, and the pipe ends may have higher numbers).
        self.process = subprocess.Popen(
            [
                "bash",
                "-c",
                'r=$1; w=$2; shift 2; exec "$@" 3<&"$r" 4>&"$w"',
                "bash",
                str(commands_read),
                str(answers_write),
                chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            pass_fds=(commands_read, answers_write),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        os.close(commands_read)
        os.close(answers_write)
        self.width, self.height = width, height
        self._next_id = 0
        self._buffer = b""
        self.events: list[dict[str, Any]] = []
        target = self.command("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.command("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            self.command(f"{domain}.enable", session=True)
        self.command(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    # ------------------------------------------------------------ the protocol

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode("utf-8") + b"\0"
        while data:
            written = os.write(self._commands, data)
            data = data[written:]

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _w, _x = select.select([self._answers], [], [], left)
            if ready:
                chunk = os.read(self._answers, 1 << 20)
                if not chunk:
                    stderr = self.process.stderr.read().decode() if self.process.stderr else ""
                    raise BrowserError(f"Chromium closed the pipe: {stderr[-2000:]}")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def command(
        self, method: str, *, session: bool = False, timeout: float = 120, **params: Any
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self._send(message)
        deadline = time.monotonic() + timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for(self, event: str, timeout: float = 120) -> dict[str, Any]:
        for index, seen in enumerate(self.events):
            if seen.get("method") == event:
                return self.events.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if message.get("method") == event:
                return message
            self.events.append(message)

    # ------------------------------------------------------------ what tests use

    def open(self, page: Path, timeout: float = 120) -> None:
        self.events.clear()
        self.command("Page.navigate", session=True, url=page.resolve().as_uri())
        self.wait_for("Page.loadEventFired", timeout)

    def evaluate(self, expression: str, timeout: float = 120) -> Any:
        """The value of a JavaScript expression in the page (promises are awaited)."""
        result = self.command(
            "Runtime.evaluate",
            session=True,
            timeout=timeout,
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"{expression[:80]!r} threw: {text}")
        return result["result"].get("value")

    def wait_until(self, expression: str, timeout: float = 120) -> Any:
        """Poll a JavaScript expression until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"never true: {expression}")

    def screenshot(self) -> bytes:
        data = self.command("Page.captureScreenshot", session=True, format="png")["data"]
        return base64.b64decode(data)

    def errors(self) -> list[str]:
        """Exceptions thrown in the page and console errors (a CSP violation is one)."""
        found = []
        for event in self.events:
            if event.get("method") == "Runtime.exceptionThrown":
                details = event["params"]["exceptionDetails"]
                found.append(details.get("exception", {}).get("description") or details["text"])
            elif event.get("method") == "Log.entryAdded":
                entry = event["params"]["entry"]
                if entry.get("level") == "error":
                    found.append(entry.get("text", ""))
            elif (
                event.get("method") == "Runtime.consoleAPICalled"
                and event["params"].get("type") == "error"
            ):
                found.append(" ".join(str(a.get("value")) for a in event["params"]["args"]))
        return found

    def close(self) -> None:
        with contextlib.suppress(BrowserError, TimeoutError, OSError):
            self.command("Browser.close", timeout=10)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for descriptor in (self._commands, self._answers):
            with contextlib.suppress(OSError):
                os.close(descriptor)
        if self.process.stderr:
            self.process.stderr.close()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
