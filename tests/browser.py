"""A real browser for tests: Debian's headless Chromium driven over the DevTools protocol (CDP) on a loopback
websocket, with `websockets` as the only client library (no browser download, no network).

One `Browser` per test module; `Browser.page()` opens a tab whose console messages, uncaught exceptions, log
entries, JavaScript dialogs and network requests are recorded as CDP events, so a test can assert that a page loaded
cleanly and offline. Tool detection follows tests/emulator.py: skipped on a laptop without chromium, a failure in
CI (`CI=true`), where `make chromium` installs it."""
from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from websockets.sync.client import ClientConnection, connect

# Everything a fresh profile would otherwise fetch or start in the background is switched off; the resolver maps
# every host to nothing, so even a stray request could not leave the machine (the tests also assert there is none).
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
          "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
          "--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication",
          "--host-resolver-rules=MAP * ~NOTFOUND", "--force-device-scale-factor=1", "--lang=en-US",
          "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"]


def chromium_or_skip() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    reason = ("chromium is not installed: the catalog's browser tests need Debian's headless Chromium "
              "(`make chromium`, or apt-get install -y --no-install-recommends chromium)")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


class CdpError(RuntimeError):
    pass


class Browser:
    def __init__(self, executable: str, timeout: float = 30.0):
        self.profile = Path(tempfile.mkdtemp(prefix="meshform-chromium-"))
        # Own session: the browser's helper processes (renderer, zygote) form one process group, ended by its id.
        self.process = subprocess.Popen([executable, *_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while True:
            lines = port_file.read_text().splitlines() if port_file.exists() else []
            if len(lines) >= 2:
                break
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise CdpError(f"chromium did not start (exit code {self.process.returncode})")
            time.sleep(0.05)
        self._closing = contextlib.ExitStack()
        self.ws: ClientConnection = self._closing.enter_context(
            connect(f"ws://127.0.0.1:{lines[0]}{lines[1]}", max_size=None, open_timeout=timeout))
        self._next_id = 0
        self.events: dict[str, list[dict]] = {}        # sessionId -> events, in arrival order

    def close(self) -> None:
        if getattr(self, "_closing", None) is not None:
            self._closing.close()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)

    def send(self, method: str, session: str | None = None, timeout: float = 30.0, **params) -> dict:
        self._next_id += 1
        message: dict = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline, method)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _receive(self, deadline: float, waiting_for: str) -> dict:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise CdpError(f"timed out waiting for {waiting_for}")
        try:
            message = json.loads(self.ws.recv(timeout=remaining))
        except TimeoutError:
            raise CdpError(f"timed out waiting for {waiting_for}") from None
        if "method" in message:
            self.events.setdefault(message.get("sessionId", ""), []).append(message)
        return message

    def wait_event(self, session: str, method: str, after: int, timeout: float = 30.0) -> dict:
        """The first `method` event of the session at index >= `after` (events already received count)."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events.get(session, [])[after:]:
                if event["method"] == method:
                    return event
                if event["method"] == "Page.javascriptDialogOpening":
                    # A dialog blocks the page (no load event would ever come): dismiss it and fail loudly.
                    self.send("Page.handleJavaScriptDialog", session, accept=False)
                    raise CdpError(f"the page opened a JavaScript dialog: {event['params']['message']!r}")
            self._receive(deadline, method)

    def page(self, width: int = 1280, height: int = 900) -> Page:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        return page


# Event kinds that mean "the page is not clean": console.error/warn/assert, uncaught exceptions, browser log
# entries (failed loads, Content-Security-Policy violations) at warning level or above.
_BAD_CONSOLE = {"error", "warning", "assert"}
_BAD_LOG = {"error", "warning"}


class Page:
    def __init__(self, browser: Browser, session: str):
        self.browser = browser
        self.session = session
        self.mark = 0

    def send(self, method: str, **params) -> dict:
        return self.browser.send(method, self.session, **params)

    @property
    def _events(self) -> list[dict]:
        return self.browser.events.setdefault(self.session, [])

    def goto(self, url: str) -> None:
        self.mark = len(self._events)
        self.send("Page.navigate", url=url)
        self.browser.wait_event(self.session, "Page.loadEventFired", self.mark)

    def wait_for_navigation(self, since: int) -> None:
        self.browser.wait_event(self.session, "Page.loadEventFired", since)

    def events_since_load(self) -> list[dict]:
        return self._events[self.mark:]

    def problems(self) -> list[str]:
        """Console errors/warnings, uncaught exceptions, error log entries and dialogs since the last `goto`."""
        out = []
        for event in self.events_since_load():
            method, params = event["method"], event["params"]
            if method == "Runtime.consoleAPICalled" and params["type"] in _BAD_CONSOLE:
                out.append(f"console.{params['type']}: " + " ".join(str(a.get("value", a.get("description")))
                                                                   for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                out.append(f"exception: {params['exceptionDetails'].get('exception', {}).get('description')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in _BAD_LOG:
                out.append(f"log {params['entry']['level']}: {params['entry']['text']}")
            elif method == "Page.javascriptDialogOpening":
                out.append(f"dialog: {params['message']}")
        return out

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events_since_load()
                if e["method"] == "Network.requestWillBeSent"]

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise CdpError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise CdpError(f"timed out waiting for {expression}")
            time.sleep(0.05)

    def type(self, text: str) -> None:
        """Key by key, as a person types: each key fires keydown, keypress, input and keyup in the page."""
        for char in text:
            self.send("Input.dispatchKeyEvent", type="keyDown", key=char, text=char, unmodifiedText=char)
            self.send("Input.dispatchKeyEvent", type="keyUp", key=char)

    def press_enter(self) -> None:
        key = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13}
        self.send("Input.dispatchKeyEvent", type="keyDown", text="\r", **key)
        self.send("Input.dispatchKeyEvent", type="keyUp", **key)

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        params: dict = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        data = self.send("Page.captureScreenshot", **params)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path
