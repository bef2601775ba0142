"""The metaloop client: an agent's config, with a local cache that outlives an outage, and its
feedback, batched by a background thread that retries without ever counting an event twice."""

from __future__ import annotations

import atexit
import collections
import datetime
import json
import logging
import random
import threading
import time
import weakref
from typing import Any, Deque, Dict, List, Mapping, Optional, Tuple
from urllib.parse import quote, urlencode

from ._http import NETWORK_ERRORS, HttpOrigin, Response, retry_after_seconds
from ._uuid7 import uuid7

logger = logging.getLogger("metaloop")

__all__ = ["Client", "ConfigResult", "MetaloopUnavailable"]

# A URL longer than this sends the query through POST .../config (same answer, same ETag).
_MAX_GET_URL = 2000
# collect/bulk takes at most this many events (LIMITS.bulkEvents).
_BULK_MAX_EVENTS = 1000


class MetaloopUnavailable(Exception):
    """Raised by ``config()`` only when the client was made with ``raise_errors=True``."""


class ConfigResult:
    """What ``config()`` serves. ``config`` is the agent's config (``None`` when nothing was ever
    fetched for it); ``body`` the whole answer of feedback-api (``examples_retrieved``,
    ``subject_context`` when asked for). ``source`` says where it came from: ``"network"`` (a
    200), ``"not_modified"`` (a 304 revalidated the cached one), ``"cache"`` (the cached one
    within ``cache_ttl``, no request), ``"fallback"`` (metaloop unreachable, slow or failing:
    the last known config, ``stale`` is True and ``stale_reason`` says why) or ``"none"``
    (nothing known and metaloop not answering). Treat it as read-only: cache hits share it."""

    __slots__ = ("body", "etag", "source", "stale", "stale_reason", "fetched_at")

    def __init__(
        self,
        body: Optional[Dict[str, Any]],
        etag: Optional[str],
        source: str,
        stale: bool = False,
        stale_reason: Optional[str] = None,
        fetched_at: Optional[float] = None,
    ) -> None:
        self.body = body
        self.etag = etag
        self.source = source
        self.stale = stale
        self.stale_reason = stale_reason
        self.fetched_at = fetched_at

    @property
    def config(self) -> Optional[Dict[str, Any]]:
        return None if self.body is None else self.body.get("config")

    @property
    def agent_id(self) -> Optional[str]:
        return None if self.body is None else self.body.get("agent_id")

    @property
    def revision_id(self) -> Optional[str]:
        return None if self.body is None else self.body.get("revision_id")

    @property
    def rollout_id(self) -> Optional[str]:
        return None if self.body is None else self.body.get("rollout_id")

    @property
    def arm(self) -> Optional[str]:
        return None if self.body is None else self.body.get("arm")

    def _as(self, source: str, stale: bool = False, reason: Optional[str] = None) -> "ConfigResult":
        return ConfigResult(self.body, self.etag, source, stale, reason, self.fetched_at)

    def __repr__(self) -> str:
        stale = f", stale={self.stale_reason!r}" if self.stale else ""
        return f"ConfigResult(agent_id={self.agent_id!r}, revision_id={self.revision_id!r}, arm={self.arm!r}, source={self.source!r}{stale})"


class _CacheEntry:
    __slots__ = ("result", "hit", "checked_at")

    def __init__(self, result: ConfigResult, checked_at: float) -> None:
        self.result = result
        self.hit = result._as("cache")
        self.checked_at = checked_at


class Client:
    """One per process (thread safe). ``feedback_url`` is feedback-api's base URL, e.g.
    ``http://localhost:8091``; ``api_key`` a key with ``config:read`` and ``feedback:write``.

    Config: ``timeout`` (seconds, each socket operation) bounds how long ``config()`` waits for
    metaloop; ``cache_ttl`` how long a fetched config is served without asking again (then it is
    revalidated with ``If-None-Match``: a 304 costs no body); ``cache_size`` bounds the cached
    (agent, session, subject, query) entries (least recently used go first). After a failure
    ``config()`` serves from the cache at once, without waiting on metaloop, for a backoff that
    grows from ``retry_base`` to ``retry_max`` seconds (or what ``Retry-After`` asks).

    Feedback: events wait in a buffer of at most ``max_buffer`` (the oldest are dropped and
    counted when it is full) until ``batch_size`` are there or the oldest has waited ``linger``
    seconds; a background thread posts them to ``collect/bulk`` with ``send_timeout``, retrying
    with exponential backoff and full jitter, at least what ``Retry-After`` asks."""

    def __init__(
        self,
        feedback_url: str,
        api_key: Optional[str] = None,
        timeout: float = 1.0,
        *,
        cache_ttl: float = 1.0,
        cache_size: int = 1024,
        batch_size: int = 500,
        linger: float = 0.2,
        max_buffer: int = 10_000,
        max_batch_bytes: int = 4 * 1024 * 1024,
        send_timeout: float = 10.0,
        retry_base: float = 0.2,
        retry_max: float = 30.0,
        raise_errors: bool = False,
        user_agent: str = "metaloop-python",
    ) -> None:
        if not 1 <= batch_size <= _BULK_MAX_EVENTS:
            raise ValueError(f"batch_size must be 1–{_BULK_MAX_EVENTS}")
        if max_buffer < 1 or cache_size < 1:
            raise ValueError("max_buffer and cache_size must be at least 1")
        self._origin = HttpOrigin(feedback_url)
        self.timeout = timeout
        self.cache_ttl = cache_ttl
        self.cache_size = cache_size
        self.batch_size = batch_size
        self.linger = linger
        self.max_buffer = max_buffer
        self.max_batch_bytes = max_batch_bytes
        self.send_timeout = send_timeout
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.raise_errors = raise_errors
        self._headers = {"user-agent": user_agent, "accept": "application/json"}
        if api_key:
            self._headers["authorization"] = f"Bearer {api_key}"
        self._post_headers = {**self._headers, "content-type": "application/json"}

        # config
        self._cache: "collections.OrderedDict[Tuple[str, str, Optional[str], Optional[str]], _CacheEntry]" = (
            collections.OrderedDict()
        )
        self._last_of_agent: Dict[str, ConfigResult] = {}
        self._cache_lock = threading.Lock()
        self._config_down_until = 0.0
        self._config_failures = 0
        self._config_down_reason = ""

        # feedback
        self._cond = threading.Condition()
        self._events: Deque[Tuple[float, str]] = collections.deque()  # (enqueued at, JSON)
        self._metrics: Deque[str] = collections.deque()
        self._in_flight = 0
        self._flushing = 0
        self._closing = False
        self._abandon = False
        self._closed = False
        self._stats: Dict[str, Any] = {
            "config_requests": 0,
            "config_cache_hits": 0,
            "config_not_modified": 0,
            "config_fetched": 0,
            "config_fallbacks": 0,
            "config_unavailable": 0,
            "events_queued": 0,
            "accepted": 0,
            "duplicates": 0,
            "rejected": 0,
            "dropped": 0,
            "failed": 0,
            "abandoned": 0,
            "batches_sent": 0,
            "retries": 0,
            "metrics_queued": 0,
            "metrics_sent": 0,
            "metrics_dropped": 0,
            "metrics_failed": 0,
            "last_error": None,
            "last_rejection": None,
        }
        self._sender = threading.Thread(target=self._run_sender, name="metaloop-sender", daemon=True)
        self._sender.start()
        ref = weakref.ref(self)
        self._atexit = lambda: (lambda client: client and client.close(timeout=2.0))(ref())
        atexit.register(self._atexit)

    # ------------------------------------------------------------------ config

    def config(
        self,
        agent_id: str,
        session_id: str,
        subject_id: Optional[str] = None,
        query: Optional[str] = None,
    ) -> ConfigResult:
        """The config this session runs with (its sticky arm while a rollout runs). Never raises
        because metaloop is down or slow (unless ``raise_errors``): it serves the last config known
        for this session, else the agent's last stable one, flagged ``stale`` with the reason."""
        key = (agent_id, session_id, subject_id, query)
        now = time.monotonic()
        with self._cache_lock:
            entry = self._cache.get(key)
            if entry is not None:
                self._cache.move_to_end(key)
                if now - entry.checked_at < self.cache_ttl:
                    self._stats["config_cache_hits"] += 1
                    return entry.hit
            down = now < self._config_down_until
        if down:
            return self._fallback(key, entry, self._config_down_reason)
        self._stats["config_requests"] += 1
        try:
            response = self._config_request(agent_id, session_id, subject_id, query, entry)
        except NETWORK_ERRORS as error:
            return self._fallback(key, entry, self._mark_down(f"unreachable: {_describe(error)}", None))
        if response.status == 304 and entry is not None:
            self._config_up()
            with self._cache_lock:
                entry.checked_at = time.monotonic()
                self._stats["config_not_modified"] += 1
            return entry.result._as("not_modified")
        if response.status == 200:
            try:
                body = json.loads(response.body)
            except ValueError as error:
                return self._fallback(key, entry, self._mark_down(f"bad answer: {error}", None))
            self._config_up()
            result = ConfigResult(body, response.headers.get("etag"), "network", fetched_at=time.time())
            self._store(key, result)
            self._stats["config_fetched"] += 1
            return result
        reason = f"HTTP {response.status}{_problem_detail(response)}"
        if response.status in (408, 429) or response.status >= 500:
            reason = self._mark_down(reason, retry_after_seconds(response.headers.get("retry-after")))
        return self._fallback(key, entry, reason)

    def _config_request(
        self,
        agent_id: str,
        session_id: str,
        subject_id: Optional[str],
        query: Optional[str],
        entry: Optional[_CacheEntry],
    ) -> Response:
        params = {"session_id": session_id}
        if subject_id is not None:
            params["subject_id"] = subject_id
        if query is not None:
            params["query"] = query
        path = f"/api/v1/agents/{quote(agent_id, safe='')}/config"
        headers = dict(self._headers)
        if entry is not None and entry.result.etag:
            headers["if-none-match"] = entry.result.etag
        url = f"{path}?{urlencode(params)}"
        if len(url) <= _MAX_GET_URL:
            return self._origin.request("GET", url, headers=headers, timeout=self.timeout)
        # The POST twin answers 200 with the same body and ETag (never 304): still the fresh config.
        headers["content-type"] = "application/json"
        return self._origin.request("POST", path, json.dumps(params).encode(), headers, self.timeout)

    def _store(self, key: Tuple[str, str, Optional[str], Optional[str]], result: ConfigResult) -> None:
        with self._cache_lock:
            self._cache[key] = _CacheEntry(result, time.monotonic())
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            agent_id = key[0]
            if result.arm == "stable" or agent_id not in self._last_of_agent:
                self._last_of_agent[agent_id] = result

    def _fallback(
        self,
        key: Tuple[str, str, Optional[str], Optional[str]],
        entry: Optional[_CacheEntry],
        reason: str,
    ) -> ConfigResult:
        if self.raise_errors:
            raise MetaloopUnavailable(reason)
        if entry is not None:
            self._stats["config_fallbacks"] += 1
            return entry.result._as("fallback", True, reason)
        with self._cache_lock:
            last = self._last_of_agent.get(key[0])
        if last is not None:
            self._stats["config_fallbacks"] += 1
            return last._as("fallback", True, f"{reason}; the agent's last config (not this session's)")
        self._stats["config_unavailable"] += 1
        return ConfigResult(None, None, "none", True, f"{reason}; no config known for this agent yet")

    def _mark_down(self, reason: str, retry_after: Optional[float]) -> str:
        with self._cache_lock:
            self._config_failures += 1
            delay = retry_after
            if delay is None:
                delay = random.uniform(0.5, 1.0) * min(self.retry_max, self.retry_base * 2 ** (self._config_failures - 1))
            self._config_down_until = time.monotonic() + delay
            self._config_down_reason = reason
        self._stats["last_error"] = reason
        return reason

    def _config_up(self) -> None:
        if self._config_failures:
            with self._cache_lock:
                self._config_failures = 0
                self._config_down_until = 0.0

    # ------------------------------------------------------------------ feedback

    def feedback(self, event: Mapping[str, Any]) -> str:
        """Queue one feedback event (the body of ``collect``: ``agent_id``, ``session_id``,
        ``explicit``, ``implicit``, ``metrics``, …); returns its ``event_id``, a UUIDv7 unless the
        event has one. The id makes every retry safe: metaloop counts it once. Adds ``timestamp``
        (now) when absent, since the event may be sent later. Never blocks on the network."""
        if not isinstance(event, Mapping):
            raise TypeError("feedback() takes a mapping (the JSON body of one event)")
        body = dict(event)
        event_id = body.get("event_id")
        if not event_id:
            event_id = body["event_id"] = uuid7()
        if "timestamp" not in body:
            body["timestamp"] = _now_iso()
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        with self._cond:
            if self._closed:
                self._stats["abandoned"] += 1
                return event_id
            self._stats["events_queued"] += 1
            if len(self._events) >= self.max_buffer:
                self._events.popleft()
                self._stats["dropped"] += 1
            self._events.append((time.monotonic(), text))
            if len(self._events) == 1 or len(self._events) >= self.batch_size:
                self._cond.notify_all()
        return event_id

    def system_metric(
        self,
        source: str,
        name: str,
        value: float,
        unit: Optional[str] = None,
        labels: Optional[Mapping[str, str]] = None,
        agent_id: Optional[str] = None,
    ) -> None:
        """Queue one system metric (``POST /api/v1/feedback/system/metric``), sent in the background
        like feedback, with its own bounded buffer."""
        body: Dict[str, Any] = {"source": source, "name": name, "value": value, "timestamp": _now_iso()}
        if unit is not None:
            body["unit"] = unit
        if labels is not None:
            body["labels"] = dict(labels)
        if agent_id is not None:
            body["agent_id"] = agent_id
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        with self._cond:
            if self._closed:
                return
            self._stats["metrics_queued"] += 1
            if len(self._metrics) >= self.max_buffer:
                self._metrics.popleft()
                self._stats["metrics_dropped"] += 1
            self._metrics.append(text)
            self._cond.notify_all()

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Send what is buffered now, without waiting for ``linger``; True once nothing is left
        (buffered or in flight), False when ``timeout`` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._flushing += 1
            self._cond.notify_all()
            try:
                while self._events or self._metrics or self._in_flight:
                    if not self._sender.is_alive():
                        return False
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return False
                    self._cond.wait(remaining)
                return True
            finally:
                self._flushing -= 1

    def close(self, timeout: Optional[float] = 10.0) -> bool:
        """Flush for at most ``timeout`` seconds, then stop the sender; what is still unsent is
        counted as ``abandoned``. True when everything was sent. Idempotent."""
        with self._cond:
            if self._closed:
                return not self._stats["abandoned"]
            self._closing = True
        flushed = self.flush(timeout)
        with self._cond:
            self._closed = True
            self._abandon = True
            self._cond.notify_all()
        self._sender.join(max(self.send_timeout, 1.0) * 2)
        with self._cond:
            self._stats["abandoned"] += len(self._events) + len(self._metrics)
            self._events.clear()
            self._metrics.clear()
        atexit.unregister(self._atexit)
        self._origin.close()
        return flushed

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stats(self) -> Dict[str, Any]:
        """Counters: config (requests, cache hits, 304s, fetches, fallbacks), feedback (queued,
        accepted, duplicates, rejected, dropped when the buffer was full, failed, abandoned at
        close, retries, batches) and what is buffered or in flight now."""
        with self._cond:
            snapshot = dict(self._stats)
            snapshot["buffered"] = len(self._events)
            snapshot["in_flight"] = self._in_flight
            snapshot["metrics_buffered"] = len(self._metrics)
        with self._cache_lock:
            snapshot["config_cached"] = len(self._cache)
        return snapshot

    # ------------------------------------------------------------------ sender thread

    def _run_sender(self) -> None:
        attempt = 0
        while True:
            with self._cond:
                batch, metric = self._next_work()
                if batch is None and metric is None:
                    return
                self._in_flight = len(batch) if batch else 1
            retry_after: Optional[float] = None
            try:
                if batch:
                    outcome, retry_after = self._send_batch(batch)
                else:
                    outcome, retry_after = self._send_metric(metric)  # type: ignore[arg-type]
            except Exception as error:  # a bug must not kill the sender: count and go on
                logger.exception("metaloop sender failed")
                outcome = "drop"
                self._stats["last_error"] = _describe(error)
            with self._cond:
                self._in_flight = 0
                if outcome == "retry":
                    self._requeue(batch, metric)
                    attempt += 1
                    self._stats["retries"] += 1
                else:
                    attempt = 0
                self._cond.notify_all()
                if outcome == "retry":
                    delay = random.uniform(0, min(self.retry_max, self.retry_base * 2 ** (attempt - 1)))
                    if retry_after is not None:
                        delay = max(delay, min(retry_after, self.retry_max * 4))
                    deadline = time.monotonic() + delay
                    while not self._abandon:
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            break
                        self._cond.wait(remaining)

    def _next_work(self) -> Tuple[Optional[List[Tuple[float, str]]], Optional[str]]:
        """Under the lock: waits for a batch (full, lingered, flushed or closing) or a metric."""
        while True:
            if self._abandon:
                return None, None
            if self._metrics:
                return None, self._metrics.popleft()
            if self._events:
                waited = time.monotonic() - self._events[0][0]
                if (
                    len(self._events) >= self.batch_size
                    or waited >= self.linger
                    or self._flushing
                    or self._closing
                ):
                    return self._take_batch(), None
                self._cond.wait(self.linger - waited)
            else:
                self._cond.wait()

    def _take_batch(self) -> List[Tuple[float, str]]:
        batch: List[Tuple[float, str]] = []
        size = 16
        while self._events and len(batch) < self.batch_size:
            item_size = len(self._events[0][1]) + 1
            if batch and size + item_size > self.max_batch_bytes:
                break
            batch.append(self._events.popleft())
            size += item_size
        return batch

    def _requeue(self, batch: Optional[List[Tuple[float, str]]], metric: Optional[str]) -> None:
        """Puts a failed batch back in front (it is the oldest), dropping the oldest beyond the bound."""
        if batch:
            self._events.extendleft(reversed(batch))
            while len(self._events) > self.max_buffer:
                self._events.popleft()
                self._stats["dropped"] += 1
        elif metric is not None:
            self._metrics.appendleft(metric)
            while len(self._metrics) > self.max_buffer:
                self._metrics.popleft()
                self._stats["metrics_dropped"] += 1

    def _send_batch(self, batch: List[Tuple[float, str]]) -> Tuple[str, Optional[float]]:
        body = ('{"events":[' + ",".join(text for _, text in batch) + "]}").encode("utf-8")
        try:
            response = self._origin.request(
                "POST", "/api/v1/feedback/collect/bulk", body, self._post_headers, self.send_timeout
            )
        except NETWORK_ERRORS as error:
            self._stats["last_error"] = f"unreachable: {_describe(error)}"
            return "retry", None
        status = response.status
        if status in (200, 202):
            self._stats["batches_sent"] += 1
            try:
                answer = json.loads(response.body)
                self._stats["accepted"] += int(answer.get("accepted", 0))
                self._stats["duplicates"] += int(answer.get("duplicates", 0))
                rejected = int(answer.get("rejected", 0))
            except (ValueError, AttributeError, TypeError):
                return "done", None
            if rejected:
                self._stats["rejected"] += rejected
                errors = [item for item in answer.get("results", []) if item.get("status") == "rejected"]
                self._stats["last_rejection"] = errors[0] if errors else None
                logger.warning("metaloop rejected %d event(s): %s", rejected, json.dumps(errors[:1]))
            return "done", None
        if status in (408, 429) or status >= 500:
            self._stats["last_error"] = f"HTTP {status}{_problem_detail(response)}"
            return "retry", retry_after_seconds(response.headers.get("retry-after"))
        if status == 413 and len(batch) > 1:
            self.max_batch_bytes = max(1024, self.max_batch_bytes // 2)
            return "retry", 0.0
        # Another 4xx (a bad key, a body refused as a whole): sending it again cannot succeed.
        reason = f"HTTP {status}{_problem_detail(response)}"
        self._stats["failed"] += len(batch)
        self._stats["last_error"] = reason
        logger.warning("metaloop refused a batch of %d event(s): %s", len(batch), reason)
        return "done", None

    def _send_metric(self, metric: str) -> Tuple[str, Optional[float]]:
        try:
            response = self._origin.request(
                "POST", "/api/v1/feedback/system/metric", metric.encode("utf-8"), self._post_headers, self.send_timeout
            )
        except NETWORK_ERRORS as error:
            self._stats["last_error"] = f"unreachable: {_describe(error)}"
            return "retry", None
        if response.status in (200, 202):
            self._stats["metrics_sent"] += 1
            return "done", None
        reason = f"HTTP {response.status}{_problem_detail(response)}"
        self._stats["last_error"] = reason
        if response.status in (408, 429) or response.status >= 500:
            return "retry", retry_after_seconds(response.headers.get("retry-after"))
        self._stats["metrics_failed"] += 1
        logger.warning("metaloop refused a system metric: %s", reason)
        return "done", None


def _now_iso() -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _problem_detail(response: Response) -> str:
    try:
        problem = json.loads(response.body)
    except ValueError:
        return ""
    detail = problem.get("detail") or problem.get("title") if isinstance(problem, dict) else None
    return f" ({detail})" if detail else ""
