"""A stand-in feedback-api on an in-process http.server: config with ETags, collect/bulk that
remembers event ids (a duplicate is answered as one), and switches for failures."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qs, urlsplit

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))


class FakeFeedbackApi:
    def __init__(self) -> None:
        self.revision = "rev_1"
        self.config: Dict[str, Any] = {"model": "m", "prompt": {"version": "v1", "template": "t"}}
        self.requests: List[Dict[str, Any]] = []
        self.event_ids: Dict[str, int] = {}
        self.metrics: List[Dict[str, Any]] = []
        # failure switches
        self.status: Optional[int] = None  # answer every request with this status
        self.retry_after: Optional[str] = None
        self.fail_next = 0  # answer this many requests with `status` then recover
        self.cut_after_processing = 0  # process this many bulk requests, then cut the connection
        self.delay = 0.0
        self.gate = threading.Event()  # cleared: requests wait until it is set again
        self.gate.set()
        self.lock = threading.Lock()
        self.connections: List[Any] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        """Stops listening and cuts the kept-alive connections, as a stopped process would."""
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()
        with self.lock:
            for connection in self.connections:
                try:
                    connection.shutdown(2)
                except OSError:
                    pass

    def count(self, path_part: str, status: Optional[int] = None) -> int:
        return sum(1 for r in self.requests if path_part in r["path"] and (status is None or r["status"] == status))

    def stored_events(self) -> int:
        return len(self.event_ids)

    def _handler(self) -> type:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with api.lock:
                    api.connections.append(self.connection)

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any = None, headers: Optional[Dict[str, str]] = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                with api.lock:
                    api.requests[-1]["status"] = status
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if data:
                    self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _failure(self) -> bool:
                with api.lock:
                    if api.status is None:
                        return False
                    if api.fail_next:
                        api.fail_next -= 1
                        if api.fail_next == 0:
                            status, api.status = api.status, None
                        else:
                            status = api.status
                    else:
                        status = api.status
                headers = {"retry-after": api.retry_after} if api.retry_after else {}
                self._send(status, {"status": status, "detail": "induced"}, headers)
                return True

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                with api.lock:
                    api.requests.append({"method": "GET", "path": url.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
                if api.delay:
                    time.sleep(api.delay)
                if self._failure():
                    return
                query = parse_qs(url.query)
                session = query.get("session_id", [""])[0]
                body = {
                    "agent_id": url.path.split("/")[4],
                    "revision_id": api.revision,
                    "rollout_id": None,
                    "arm": "stable",
                    "config": api.config,
                    "session": session,
                }
                etag = '"' + hashlib.sha1(json.dumps([api.revision, api.config]).encode()).hexdigest() + '"'
                if self.headers.get("if-none-match") == etag:
                    self._send(304, None, {"etag": etag})
                else:
                    self._send(200, body, {"etag": etag})

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("content-length", "0"))
                payload = json.loads(self.rfile.read(length) or b"null")
                with api.lock:
                    api.requests.append({"method": "POST", "path": url.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": payload, "at": time.monotonic()})
                api.gate.wait()
                if api.delay:
                    time.sleep(api.delay)
                if self._failure():
                    return
                if url.path.endswith("/config"):  # the GET's twin for a long query
                    self._send(200, {"agent_id": url.path.split("/")[4], "revision_id": api.revision, "rollout_id": None, "arm": "stable", "config": api.config})
                    return
                if url.path.endswith("/system/metric"):
                    api.metrics.append(payload)
                    self._send(202, {"event_id": "m", "status": "accepted", "duplicate": False})
                    return
                results = []
                accepted = duplicates = rejected = 0
                with api.lock:
                    for index, event in enumerate(payload["events"]):
                        if "agent_id" not in event:
                            rejected += 1
                            results.append({"index": index, "status": "rejected", "errors": [{"path": "agent_id", "pointer": "/agent_id", "message": "Required"}]})
                            continue
                        seen = event["event_id"] in api.event_ids
                        api.event_ids[event["event_id"]] = api.event_ids.get(event["event_id"], 0) + 1
                        duplicates += seen
                        accepted += not seen
                        results.append({"index": index, "status": "duplicate" if seen else "accepted", "event_id": event["event_id"]})
                    cut = api.cut_after_processing > 0
                    if cut:
                        api.cut_after_processing -= 1
                if cut:  # stored, but the answer never reaches the client
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self._send(202, {"accepted": accepted, "duplicates": duplicates, "rejected": rejected, "results": results})

        return Handler


@pytest.fixture
def api():
    server = FakeFeedbackApi()
    yield server
    server.stop()
