"""Helpers of the mesh suite. The real mesh comes from e2e/src/sdk-python.e2e.ts: feedback-api's URL,
the agents it registered, and a control URL of the jest side (stop or start feedback-api, count what
Postgres stored)."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.request
from typing import Any, Callable, Dict, List, Optional

FEEDBACK_URL = os.environ.get("METALOOP_FEEDBACK_URL")
CONTROL_URL = os.environ.get("METALOOP_CONTROL_URL")


class Mesh:
    feedback_url: str = FEEDBACK_URL or ""
    agent_id: str = os.environ.get("METALOOP_AGENT_ID", "")
    counted_agent_id: str = os.environ.get("METALOOP_COUNTED_AGENT_ID", "")
    buffered_agent_id: str = os.environ.get("METALOOP_BUFFERED_AGENT_ID", "")

    def control(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{CONTROL_URL}{path}", data=data, method=method, headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=120) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def stop_feedback_api(self) -> None:
        self.control("POST", "/feedback-api/stop")

    def start_feedback_api(self) -> None:
        self.control("POST", "/feedback-api/start")

    def counts(self, agent_id: str) -> Dict[str, int]:
        """Rows in feedback_events and the sum of the per-minute rollups' counts for an agent."""
        return self.control("GET", f"/counts?agent_id={agent_id}")

    def stored(self, ids: List[str]) -> List[str]:
        return self.control("POST", "/stored", {"ids": ids})["stored"]

    def metric(self, name: str, **labels: str) -> float:
        """The sum of a Prometheus series family on feedback-api, over series matching labels."""
        with urllib.request.urlopen(f"{self.feedback_url}/metrics", timeout=10) as answer:
            text = answer.read().decode()
        total = 0.0
        for line in text.splitlines():
            if not line.startswith(name + "{"):
                continue
            if all(f'{key}="{value}"' in line for key, value in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
        return total


def eventually(check: Callable[[], Any], timeout: float = 60.0, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (AssertionError, OSError) as error:
            last = error
        time.sleep(interval)
    raise AssertionError(f"not reached within {timeout} s; last: {last!r}")


class CuttingProxy:
    """A TCP proxy in front of feedback-api that, for the next ``cuts`` answers, forwards the
    request and then cuts the client's connection as the answer arrives: the server did the
    work, the client never hears of it (a network drop mid-request)."""

    def __init__(self, upstream: str) -> None:
        host, port = upstream.split("//", 1)[1].split(":")
        self.upstream = (host, int(port.rstrip("/")))
        self.cuts = 0
        self.cut = 0
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.running = False
        self.listener.close()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pipe, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, True), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket, answers: bool) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if answers:
                    with self.lock:
                        cut = self.cuts > 0
                        if cut:
                            self.cuts -= 1
                            self.cut += 1
                    if cut:
                        break
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
