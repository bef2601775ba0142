"""The Python half of `npm run bench:sdk` (run by bench/sdk-python.mjs): what one Python process
sustains through the SDK to a local feedback-api, and what config() costs on a cache hit.
Prints one JSON object on stdout.

    python3 clients/python/bench/bench_sdk.py <feedback-api URL> <agent id> <seconds>
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import sys
import time
import uuid
from urllib.parse import urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from metaloop import Client  # noqa: E402


def event(agent_id: str, i: int) -> dict:
    return {
        "agent_id": agent_id,
        "session_id": f"session-{i % 1000}",
        "explicit": {"rating": 4.5, "helpful": True},
        "implicit": {"response_time_ms": 250, "success_rate": 0.95},
    }


def feedback_run(url: str, agent_id: str, seconds: float) -> dict:
    """An agent producing as fast as it can; it waits while the SDK's buffer holds more than
    10,000 events, so the rate is what the SDK sustains, not what it drops."""
    client = Client(url, max_batch_size=500, max_buffer_size=20_000)
    cpu_started = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds
    i = 0
    while time.perf_counter() < deadline:
        for _ in range(256):
            client.feedback(event(agent_id, i))
            i += 1
        while client.stats()["buffered"] > 10_000:
            time.sleep(0.001)
    elapsed = time.perf_counter() - started
    at_deadline = client.stats()
    client.close(timeout=60)
    end = client.stats()
    return {
        "events": at_deadline["sent"],
        "seconds": elapsed,
        "cpu_seconds": time.process_time() - cpu_started,
        "enqueued": end["enqueued"],
        "sent": end["sent"],
        "batches": end["batches"],
        "dropped": end["dropped"],
        "retried": end["retried"],
    }


def raw_bulk_run(url: str, agent_id: str, seconds: float) -> dict:
    """Baseline: the same events with client event ids (uuid4: feedback-api's duplicate check
    costs what it costs the SDK's), 500 per collect/bulk, posted one request after another over
    one kept-alive http.client connection, no SDK (no buffer, no thread)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port)
    headers = {"content-type": "application/json"}
    started = time.perf_counter()
    deadline = started + seconds
    accepted = i = 0
    while time.perf_counter() < deadline:
        events = [{**event(agent_id, i + j), "event_id": str(uuid.uuid4())} for j in range(500)]
        i += 500
        connection.request("POST", "/api/v1/feedback/collect/bulk", json.dumps({"events": events}), headers)
        answer = connection.getresponse()
        body = answer.read()
        if answer.status == 202:
            accepted += json.loads(body)["accepted"]
    connection.close()
    return {"events": accepted, "seconds": time.perf_counter() - started}


def per_call_us(calls: int, call) -> float:
    for _ in range(calls // 10):
        call()
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - started) * 1e6 / calls


def config_runs(url: str, agent_id: str, calls: int) -> dict:
    client = Client(url, max_age=3600)
    first = client.config(agent_id, session_id="session-1")
    if first.stale or first.config is None:
        raise SystemExit(f"no config: {first.reason}")
    cached = {"config": first.config}
    baseline = per_call_us(calls, lambda: cached.get("config"))
    hit = per_call_us(calls, lambda: client.config(agent_id, session_id="session-1"))
    sessions = [f"session-{i}" for i in range(1000)]
    for session in sessions:
        client.config(agent_id, session_id=session)
    n = iter(range(10**12))
    hit_many = per_call_us(calls, lambda: client.config(agent_id, session_id=sessions[next(n) % 1000]))
    client.close()

    revalidating = Client(url, max_age=0)
    revalidating.config(agent_id, session_id="session-1")

    # The same conditional GET over one kept-alive http.client connection, no SDK.
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port)
    path = f"/api/v1/agents/{agent_id}/config?session_id=session-1"
    connection.request("GET", path)
    answer = connection.getresponse()
    answer.read()
    etag = answer.getheader("etag") or ""

    def raw_304() -> None:
        connection.request("GET", path, headers={"if-none-match": etag})
        reply = connection.getresponse()
        reply.read()
        assert reply.status == 304

    # Round trips swing with the machine's load: alternate blocks of the two, take the medians.
    revalidate_runs, raw_runs = [], []
    for _ in range(10):
        revalidate_runs.append(per_call_us(200, lambda: revalidating.config(agent_id, session_id="session-1")))
        raw_runs.append(per_call_us(200, raw_304))
    revalidate, raw = statistics.median(revalidate_runs), statistics.median(raw_runs)
    not_modified = revalidating.stats()["not_modified"]
    revalidating.close()
    connection.close()
    return {
        "baseline_us": baseline,
        "hit_us": hit,
        "hit_many_us": hit_many,
        "revalidate_us": revalidate,
        "raw_304_us": raw,
        "not_modified": not_modified,
    }


def main() -> None:
    url, agent_id, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    calls = int(os.environ.get("BENCH_CONFIG_CALLS", "200000"))
    result = {
        "python": sys.version.split()[0],
        "raw_bulk": raw_bulk_run(url, agent_id, seconds),
        "feedback": feedback_run(url, agent_id, seconds),
        "config": config_runs(url, agent_id, calls),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
