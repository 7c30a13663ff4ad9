"""A headless Chromium driven over the DevTools protocol on a pipe (no port, no websocket).

``--remote-debugging-pipe`` makes Chromium read protocol commands from file descriptor 3 and
write replies and events to descriptor 4, each message a JSON text ended by a NUL byte. That
is all the tests need: open a page, collect console errors, failed loads and network requests,
read the rendered text at a laptop and a phone width, print it to PDF, take a screenshot.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio",
         "--remote-debugging-pipe"]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageReport:
    """What a page did while loading and what it showed."""

    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    text: str = ""                      # document.body.innerText at the laptop width
    phone_overflow_px: int = 0          # page wider than a 390 px phone screen by this much
    pdf: bytes = b""                    # the page printed to PDF (A4)
    screenshot: bytes = b""             # PNG at the laptop width, whole page


class Chromium:
    """One browser process; use as a context manager."""

    def __init__(self, binary: str, timeout: float = 60.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="kneeload-chromium-")
        cmd_r, self._cmd_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        # keep our ends away from 3 and 4, which the child's ends must become
        hi_cmd_r = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10)
        hi_resp_w = fcntl.fcntl(resp_w, fcntl.F_DUPFD, 10)
        os.close(cmd_r)
        os.close(resp_w)

        def child_fds() -> None:
            os.dup2(hi_cmd_r, 3)
            os.dup2(hi_resp_w, 4)

        self.proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=child_fds)
        os.close(hi_cmd_r)
        os.close(hi_resp_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:  # noqa: BLE001 - the browser may be gone already
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._cmd_w, self._resp_r):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    # --- the protocol -----------------------------------------------------------------------

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._resp_r], [], [], left)
            if ready:
                chunk = os.read(self._resp_r, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the protocol pipe")
                self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send a command and return its result; events that arrive meanwhile are kept."""
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        for i, ev in enumerate(self.events):
            if ev.get("method") == method:
                return self.events.pop(i)
        deadline = time.monotonic() + self.timeout
        while True:
            ev = self._read_message(deadline)
            if ev.get("method") == method:
                return ev
            self.events.append(ev)

    # --- one page -------------------------------------------------------------------------

    def load(self, url: str, screenshot: bool = False) -> PageReport:
        """Open ``url``, wait for it to load and report what happened and what it shows."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        s = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", s)
        self.send("Emulation.setDeviceMetricsOverride", s, width=1280, height=900,
                  deviceScaleFactor=1, mobile=False)
        self.events.clear()
        self.send("Page.navigate", s, url=url)
        self.wait_for("Page.loadEventFired")
        out = PageReport()

        def evaluate(expr: str) -> Any:
            return self.send("Runtime.evaluate", s, expression=expr,
                             returnByValue=True)["result"].get("value")

        out.text = evaluate("document.body.innerText")
        if screenshot:
            out.screenshot = base64.b64decode(self.send(
                "Page.captureScreenshot", s, format="png", captureBeyondViewport=True)["data"])
        out.pdf = base64.b64decode(self.send("Page.printToPDF", s, paperWidth=8.27,
                                             paperHeight=11.69, printBackground=True)["data"])
        self.send("Emulation.setDeviceMetricsOverride", s, width=390, height=844,
                  deviceScaleFactor=2, mobile=True)
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        self.send("Page.reload", s)
        self.wait_for("Page.loadEventFired")
        out.phone_overflow_px = int(evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"))
        for ev in self.events:
            m, p = ev.get("method"), ev.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.console_errors.append(" ".join(str(a.get("value", a.get("description")))
                                                   for a in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                out.console_errors.append(p["exceptionDetails"].get("text", "exception"))
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.console_errors.append(p["entry"].get("text", "") + " "
                                          + p["entry"].get("url", ""))
            elif m == "Network.loadingFailed":
                out.console_errors.append(f"failed to load: {p.get('errorText')}")
            elif m == "Network.requestWillBeSent":
                out.requests.append(p["request"]["url"])
        self.send("Target.closeTarget", targetId=target)
        return out
