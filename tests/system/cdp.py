"""A minimal Chrome DevTools Protocol driver over Debian's chromium: navigate, evaluate, wait,
screenshot, print to PDF. Network closed except 127.0.0.1."""

from __future__ import annotations

import base64
import itertools
import json
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from tests.system.browser import ARTIFACTS, OFFLINE_FLAGS, chromium
from tests.system.serverproc import free_port


class Page:
    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []  # every event seen while waiting for answers

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        ident = next(self.ids)
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=60))
            if "method" in message:
                self.events.append(message)
            if message.get("id") == ident:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def evaluate(self, expression: str) -> Any:
        out = self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in out:
            raise AssertionError(out["exceptionDetails"])
        return out["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        guarded = (
            f"(() => {{ try {{ return !!({expression}); }} catch (e) {{ return false; }} }})()"
        )
        while time.monotonic() < deadline:
            if self.evaluate(guarded):
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}")

    def goto(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path = ARTIFACTS / name
        path.write_bytes(base64.b64decode(data))
        return path

    def pdf(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        data = self.call("Page.printToPDF", preferCSSPageSize=True, printBackground=True)["data"]
        path = ARTIFACTS / name
        path.write_bytes(base64.b64decode(data))
        return path


@contextmanager
def browser(width: int = 1280, height: int = 1000) -> Iterator[Page]:
    port = free_port()
    with tempfile.TemporaryDirectory(
        prefix="countypath-cdp-", ignore_cleanup_errors=True
    ) as profile:
        proc = subprocess.Popen(
            [
                chromium(),
                *OFFLINE_FLAGS,
                f"--user-data-dir={profile}",
                f"--remote-debugging-port={port}",
                "--remote-allow-origins=*",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            targets: list[dict[str, Any]] = []
            while time.monotonic() < deadline:
                try:
                    targets = [
                        t
                        for t in httpx.get(f"http://127.0.0.1:{port}/json/list").json()
                        if t["type"] == "page"
                    ]
                    if targets:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            assert targets, "chromium did not start"
            with connect(targets[0]["webSocketDebuggerUrl"], max_size=None) as socket:
                page = Page(socket)
                page.call("Page.enable")
                page.call("Runtime.enable")
                yield page
        finally:
            proc.terminate()
            proc.wait(timeout=20)
