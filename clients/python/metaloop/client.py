"""The metaloop client: an agent's config, with a local cache that outlives an outage, and its
feedback, batched by a background thread that retries without ever counting an event twice."""

from __future__ import annotations

import atexit
import collections
import json
import logging
import random
import socket
import threading
import time
import weakref
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional, Tuple, Union
from urllib.parse import quote, urlencode

from ._http import NETWORK_ERRORS, HttpOrigin, Response, retry_after_seconds
from ._uuid7 import uuid7

logger = logging.getLogger("metaloop")

__all__ = ["Client", "ConfigResult", "MetaloopUnavailable"]

# A URL longer than this sends the query through POST .../config (same answer, same ETag).
_MAX_GET_URL = 2000
# collect/bulk takes at most this many events (LIMITS.bulkEvents).
_BULK_MAX_EVENTS = 1000
# One encoder for every event (json.dumps with options builds a new one per call).
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
# Tries of one system metric before it is given up (it has no id to deduplicate a retry).
_METRIC_ATTEMPTS = 5
_CONFIG_STATS = (
    "config_calls",
    "config_cache_hits",
    "config_fetched",
    "not_modified",
    "stale_serves",
    "config_errors",
    "config_timeouts",
)


class MetaloopUnavailable(Exception):
    """Raised by ``config()`` only when the client was made with ``raise_on_error=True``."""


class ConfigResult:
    """What ``config()`` answers (as the TypeScript SDK's ``ConfigResult``). ``config`` is the
    config to run with (``None`` only when nothing was ever served for the agent and no
    ``fallback`` is set); ``served`` the whole answer of feedback-api (revision, rollout, sticky
    arm, ``examples_retrieved``, ``subject_context``), ``None`` when from the fallback or nothing;
    ``stale`` is True when metaloop could not confirm it now, and ``reason`` says why.
    ``source`` says where it came from: ``"network"`` (a 200), ``"not_modified"`` (a 304
    revalidated the cached one), ``"cache"`` (fresh within ``max_age``, no request),
    ``"fallback"`` (the last known config, stale) or ``"none"`` (nothing known, or the
    ``fallback`` option's config). Read-only: cache hits share it."""

    __slots__ = ("served", "etag", "source", "stale", "reason", "_config")

    def __init__(
        self,
        served: Optional[Dict[str, Any]],
        etag: Optional[str],
        source: str,
        stale: bool = False,
        reason: Optional[str] = None,
        config: Optional[Dict[str, Any]] = None,
    ) -> None:
        self.served = served
        self.etag = etag
        self.source = source
        self.stale = stale
        self.reason = reason
        self._config = config

    @property
    def config(self) -> Optional[Dict[str, Any]]:
        return self._config if self.served is None else self.served.get("config")

    @property
    def agent_id(self) -> Optional[str]:
        return None if self.served is None else self.served.get("agent_id")

    @property
    def revision_id(self) -> Optional[str]:
        return None if self.served is None else self.served.get("revision_id")

    @property
    def rollout_id(self) -> Optional[str]:
        return None if self.served is None else self.served.get("rollout_id")

    @property
    def arm(self) -> Optional[str]:
        return None if self.served is None else self.served.get("arm")

    def _as(self, source: str, stale: bool = False, reason: Optional[str] = None) -> "ConfigResult":
        return ConfigResult(self.served, self.etag, source, stale, reason)

    def __repr__(self) -> str:
        stale = f", stale={self.reason!r}" if self.stale else ""
        return f"ConfigResult(agent_id={self.agent_id!r}, revision_id={self.revision_id!r}, arm={self.arm!r}, source={self.source!r}{stale})"


class _CacheEntry:
    __slots__ = ("result", "hit", "checked_at")

    def __init__(self, result: ConfigResult, checked_at: float) -> None:
        self.result = result
        self.hit = result._as("cache")
        self.checked_at = checked_at


class Client:
    """One per process (thread safe), the Python twin of the TypeScript SDK's ``MetaloopClient``.
    ``feedback_url`` is feedback-api's base URL, e.g. ``http://localhost:8091``; ``api_key`` a key
    with ``config:read`` and ``feedback:write`` (none needed while the mesh runs without keys).

    Config: ``timeout`` (seconds, each socket operation) bounds how long ``config()`` waits for
    metaloop; ``max_age`` how long a fetched config is served from memory without asking again
    (then it is revalidated with ``If-None-Match``: a 304 costs no body; 0 revalidates every
    call); ``cache_size`` bounds the cached (agent, session, subject, query) entries, least
    recently used first. After a failure (unreachable, 5xx, 429) ``config()`` answers from the
    cache at once, without trying again, for ``retry_after_failure`` seconds at first, doubling up
    to ``retry_max`` (or what ``Retry-After`` asks). ``fallback`` (a config dict, or a function of
    the agent id) is what to answer for an agent never served while metaloop cannot be reached.
    ``raise_on_error`` raises ``MetaloopUnavailable`` instead of answering stale.

    Feedback: events wait in a buffer of at most ``max_buffer_size`` (when full the oldest are
    dropped and counted as ``overflow``) until ``max_batch_size`` are there or the oldest has
    waited ``linger`` seconds; ``max_concurrency`` background threads post them to ``collect/bulk``
    (each one request at a time) with ``request_timeout``, retrying with exponential backoff from ``backoff_base`` to ``retry_max``
    and full jitter, never sooner than ``Retry-After``."""

    def __init__(
        self,
        feedback_url: str,
        api_key: Optional[str] = None,
        timeout: float = 1.0,
        *,
        max_age: float = 5.0,
        cache_size: int = 10_000,
        retry_after_failure: float = 1.0,
        fallback: Union[None, Dict[str, Any], Callable[[str], Optional[Dict[str, Any]]]] = None,
        raise_on_error: bool = False,
        max_batch_size: int = 500,
        max_concurrency: int = 2,
        linger: float = 0.1,
        max_buffer_size: int = 10_000,
        max_batch_bytes: int = 4 * 1024 * 1024,
        request_timeout: float = 10.0,
        backoff_base: float = 0.2,
        retry_max: float = 30.0,
        user_agent: str = "metaloop-sdk-python/0.1.0",
    ) -> None:
        if not 1 <= max_batch_size <= _BULK_MAX_EVENTS:
            raise ValueError(f"max_batch_size must be 1–{_BULK_MAX_EVENTS}")
        if max_buffer_size < 1 or cache_size < 1 or max_concurrency < 1:
            raise ValueError("max_buffer_size, cache_size and max_concurrency must be at least 1")
        self._origin = HttpOrigin(feedback_url)
        self.timeout = timeout
        self.max_age = max_age
        self.cache_size = cache_size
        self.retry_after_failure = retry_after_failure
        self.fallback = fallback
        self.raise_on_error = raise_on_error
        self.max_batch_size = max_batch_size
        self.linger = linger
        self.max_buffer_size = max_buffer_size
        self.max_batch_bytes = max_batch_bytes
        self.request_timeout = request_timeout
        self.backoff_base = backoff_base
        self.retry_max = retry_max
        self._headers = {"user-agent": user_agent, "accept": "application/json"}
        if api_key:
            self._headers["authorization"] = f"Bearer {api_key}"
        self._post_headers = {**self._headers, "content-type": "application/json"}

        # config
        self._cache: "collections.OrderedDict[Tuple[str, str, Optional[str], Optional[str]], _CacheEntry]" = (
            collections.OrderedDict()
        )
        self._last_stable: "collections.OrderedDict[str, ConfigResult]" = collections.OrderedDict()
        self._cache_lock = threading.Lock()
        self._config_down_until = 0.0
        self._config_failures = 0
        self._config_down_reason = ""

        # feedback
        self._cond = threading.Condition()
        self._events: Deque[Tuple[float, str]] = collections.deque()  # (enqueued at, JSON)
        self._metrics: Deque[List[Any]] = collections.deque()  # [JSON, tries so far]
        self._in_flight = 0  # events in requests under way
        self._busy = 0  # requests under way (bulk or metric)
        self._failures = 0  # sends failed in a row
        self._resume_at = 0.0  # no send before (monotonic): the backoff after a failure
        self._flushing = 0
        self._closing = False
        self._abandon = False
        self._closed = False
        # The TypeScript SDK's Stats, in snake_case, plus last_error and last_rejection.
        self._stats: Dict[str, Any] = {
            "enqueued": 0,
            "sent": 0,
            "duplicates": 0,
            "rejected": 0,
            "overflow": 0,
            "closed": 0,
            "retried": 0,
            "batches": 0,
            "metrics_sent": 0,
            "metrics_dropped": 0,
            "config_calls": 0,
            "config_cache_hits": 0,
            "config_fetched": 0,
            "not_modified": 0,
            "stale_serves": 0,
            "config_errors": 0,
            "config_timeouts": 0,
            "last_error": None,
            "last_rejection": None,
        }
        self._senders = [
            threading.Thread(target=self._run_sender, name=f"metaloop-sender-{n}", daemon=True)
            for n in range(max_concurrency)
        ]
        for sender in self._senders:
            sender.start()
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
        """The config this session runs with (its sticky arm while a rollout runs): from memory
        while fresh, revalidated with If-None-Match after ``max_age``. Never raises because
        metaloop is down, slow or failing (unless ``raise_on_error``): it answers the last config
        known for this session, else the agent's last stable one, else ``fallback``, with
        ``stale`` True and the ``reason``."""
        key = (agent_id, session_id, subject_id, query)
        now = time.monotonic()
        with self._cache_lock:
            self._stats["config_calls"] += 1
            entry = self._cache.get(key)
            if entry is not None:
                self._cache.move_to_end(key)
                if now - entry.checked_at < self.max_age:
                    self._stats["config_cache_hits"] += 1
                    return entry.hit
            down = now < self._config_down_until
        if down:
            return self._unavailable(key, entry, f"metaloop unavailable ({self._config_down_reason})")
        try:
            response = self._config_request(agent_id, session_id, subject_id, query, entry)
        except NETWORK_ERRORS as error:
            if isinstance(error, socket.timeout) or "timed out" in str(error):
                with self._cache_lock:
                    self._stats["config_timeouts"] += 1
            reason = f"config of {agent_id}: {_describe(error)}"
            return self._unavailable(key, entry, self._mark_down(reason, None))
        except Exception as error:  # nothing reaches the agent's request path, not even a bug here
            logger.exception("metaloop config() failed")
            return self._unavailable(key, entry, f"config of {agent_id}: {_describe(error)}")
        if response.status == 304 and entry is not None:
            self._config_up()
            with self._cache_lock:
                entry.checked_at = time.monotonic()
                self._stats["not_modified"] += 1
            return entry.result._as("not_modified")
        if response.status == 200:
            try:
                served = json.loads(response.body)
            except ValueError as error:
                return self._unavailable(key, entry, self._mark_down(f"config of {agent_id}: bad answer: {error}", None))
            self._config_up()
            result = ConfigResult(served, response.headers.get("etag"), "network")
            self._store(key, result)
            return result
        reason = f"config of {agent_id}: HTTP {response.status}{_problem_detail(response)}"
        if response.status == 429 or response.status >= 500:
            reason = self._mark_down(reason, retry_after_seconds(response.headers.get("retry-after")))
        return self._unavailable(key, entry, reason)

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
            self._stats["config_fetched"] += 1
            self._cache[key] = _CacheEntry(result, time.monotonic())
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            if result.arm == "stable":
                self._last_stable[key[0]] = result
                self._last_stable.move_to_end(key[0])
                while len(self._last_stable) > self.cache_size:
                    self._last_stable.popitem(last=False)

    def _unavailable(
        self,
        key: Tuple[str, str, Optional[str], Optional[str]],
        entry: Optional[_CacheEntry],
        reason: str,
    ) -> ConfigResult:
        """The last known config, saying it is stale; or raises, when asked to."""
        with self._cache_lock:
            self._stats["config_errors"] += 1
            self._stats["last_error"] = reason
            last = entry.result if entry is not None else self._last_stable.get(key[0])
            if self.raise_on_error:
                raise MetaloopUnavailable(reason)
            if last is not None:
                self._stats["stale_serves"] += 1
                if entry is None:
                    reason = f"{reason}; the agent's last stable config (not this session's)"
                return last._as("fallback", True, reason)
        fallback = self.fallback(key[0]) if callable(self.fallback) else self.fallback
        if fallback is not None:
            with self._cache_lock:
                self._stats["stale_serves"] += 1
        return ConfigResult(None, None, "none", True, reason, fallback)

    def _mark_down(self, reason: str, retry_after: Optional[float]) -> str:
        with self._cache_lock:
            self._config_failures += 1
            delay = _backoff(self._config_failures, self.retry_after_failure, self.retry_max, retry_after)
            self._config_down_until = time.monotonic() + delay
            self._config_down_reason = reason
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
        text = _encode(body)
        with self._cond:
            self._stats["enqueued"] += 1
            if self._closed:
                self._stats["closed"] += 1
                return event_id
            if len(self._events) >= self.max_buffer_size:
                self._events.popleft()
                self._stats["overflow"] += 1
            self._events.append((time.monotonic(), text))
            if len(self._events) == 1 or len(self._events) >= self.max_batch_size:
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
        one by one, tried at most ``_METRIC_ATTEMPTS`` times (it carries no id to deduplicate it),
        at most ``max_buffer_size`` waiting (the oldest dropped)."""
        body: Dict[str, Any] = {"source": source, "name": name, "value": value, "timestamp": _now_iso()}
        if unit is not None:
            body["unit"] = unit
        if labels is not None:
            body["labels"] = dict(labels)
        if agent_id is not None:
            body["agent_id"] = agent_id
        text = _encode(body)
        with self._cond:
            if self._closed:
                self._stats["metrics_dropped"] += 1
                return
            if len(self._metrics) >= self.max_buffer_size:
                self._metrics.popleft()
                self._stats["metrics_dropped"] += 1
            self._metrics.append([text, 0])
            self._cond.notify_all()

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Send what is buffered now, without waiting for ``linger``; True once nothing is left
        (buffered or in flight), False when ``timeout`` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._flushing += 1
            self._cond.notify_all()
            try:
                while self._events or self._metrics or self._busy:
                    if not any(sender.is_alive() for sender in self._senders):
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
        counted as ``closed`` (and ``dropped``). True when everything was sent. Idempotent."""
        with self._cond:
            if self._closed:
                return not (self._events or self._metrics)
            self._closing = True
        flushed = self.flush(timeout)
        with self._cond:
            self._closed = True
            self._abandon = True
            self._cond.notify_all()
        deadline = time.monotonic() + max(self.request_timeout, 1.0) * 2
        for sender in self._senders:
            sender.join(max(0.0, deadline - time.monotonic()))
        with self._cond:
            self._stats["closed"] += len(self._events)
            self._stats["metrics_dropped"] += len(self._metrics)
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
        """The TypeScript SDK's counters in snake_case: ``enqueued``, ``sent`` (accepted or
        duplicate, once each), ``duplicates``, ``dropped`` (= ``rejected`` + ``overflow`` +
        ``closed``), ``retried`` (events re-sent), ``batches``, ``buffered``, ``in_flight``,
        ``metrics_sent``, ``metrics_dropped``, ``config_calls``, ``config_cache_hits``,
        ``config_fetched``, ``not_modified`` (304s), ``stale_serves``, ``config_errors``,
        ``config_timeouts``; plus ``config_cached``, ``last_error`` and ``last_rejection``."""
        with self._cond:
            snapshot = dict(self._stats)
            snapshot["buffered"] = len(self._events)
            snapshot["in_flight"] = self._in_flight
        with self._cache_lock:
            snapshot.update({key: self._stats[key] for key in _CONFIG_STATS})
            snapshot["config_cached"] = len(self._cache)
        snapshot["dropped"] = snapshot["rejected"] + snapshot["overflow"] + snapshot["closed"]
        return snapshot

    # ------------------------------------------------------------------ sender thread

    def _run_sender(self) -> None:
        while True:
            with self._cond:
                batch, metric = self._next_work()
                if batch is None and metric is None:
                    return
                self._busy += 1
                self._in_flight += len(batch) if batch else 0
            retry_after: Optional[float] = None
            try:
                if batch:
                    outcome, retry_after = self._send_batch(batch)
                else:
                    metric[1] += 1  # type: ignore[index]
                    outcome, retry_after = self._send_metric(*metric)  # type: ignore[misc]
            except Exception as error:  # a bug must not kill the sender: count and go on
                logger.exception("metaloop sender failed")
                outcome = "done"
                with self._cond:
                    self._stats["last_error"] = _describe(error)
            with self._cond:
                self._busy -= 1
                self._in_flight -= len(batch) if batch else 0
                if outcome == "retry":
                    self._requeue(batch, metric)
                    if batch:
                        self._stats["retried"] += len(batch)
                    # Every sender waits the backoff out: Retry-After speaks for the server, not a thread.
                    self._failures += 1
                    delay = _backoff(self._failures, self.backoff_base, self.retry_max, retry_after)
                    self._resume_at = max(self._resume_at, time.monotonic() + delay)
                else:
                    self._failures = 0
                self._cond.notify_all()

    def _next_work(self) -> Tuple[Optional[List[Tuple[float, str]]], Optional[List[Any]]]:
        """Under the lock: waits for a batch (full, lingered, flushed or closing) or a metric."""
        while True:
            if self._abandon:
                return None, None
            backoff = self._resume_at - time.monotonic()
            if backoff > 0:
                self._cond.wait(backoff)
                continue
            if self._metrics:
                return None, self._metrics.popleft()
            if self._events:
                waited = time.monotonic() - self._events[0][0]
                if (
                    len(self._events) >= self.max_batch_size
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
        while self._events and len(batch) < self.max_batch_size:
            item_size = len(self._events[0][1]) + 1
            if batch and size + item_size > self.max_batch_bytes:
                break
            batch.append(self._events.popleft())
            size += item_size
        return batch

    def _requeue(self, batch: Optional[List[Tuple[float, str]]], metric: Optional[List[Any]]) -> None:
        """Puts a failed batch back in front (it is the oldest), dropping the oldest beyond the bound."""
        if batch:
            self._events.extendleft(reversed(batch))
            while len(self._events) > self.max_buffer_size:
                self._events.popleft()
                self._stats["overflow"] += 1
        elif metric is not None:
            self._metrics.appendleft(metric)
            while len(self._metrics) > self.max_buffer_size:
                self._metrics.popleft()
                self._stats["metrics_dropped"] += 1

    def _send_batch(self, batch: List[Tuple[float, str]]) -> Tuple[str, Optional[float]]:
        body = ('{"events":[' + ",".join(text for _, text in batch) + "]}").encode("utf-8")
        try:
            response = self._origin.request(
                "POST", "/api/v1/feedback/collect/bulk", body, self._post_headers, self.request_timeout
            )
        except NETWORK_ERRORS as error:
            self._note(last_error=f"collect/bulk: {_describe(error)}")
            return "retry", None
        status = response.status
        if status in (200, 202):
            try:
                answer = json.loads(response.body)
                accepted = int(answer.get("accepted", 0))
                duplicates = int(answer.get("duplicates", 0))
                rejected = int(answer.get("rejected", 0))
                errors = [item for item in answer.get("results", []) if item.get("status") == "rejected"]
            except (ValueError, AttributeError, TypeError):
                accepted, duplicates, rejected, errors = len(batch), 0, 0, []
            with self._cond:
                self._stats["batches"] += 1
                self._stats["sent"] += accepted + duplicates
                self._stats["duplicates"] += duplicates
                self._stats["rejected"] += rejected
                if errors:
                    self._stats["last_rejection"] = errors[0]
            if rejected:
                logger.warning("metaloop rejected %d event(s): %s", rejected, json.dumps(errors[:1]))
            return "done", None
        reason = f"collect/bulk: HTTP {status}{_problem_detail(response)}"
        if status in (408, 429) or status >= 500:
            self._note(last_error=reason)
            return "retry", retry_after_seconds(response.headers.get("retry-after"))
        if status == 413 and len(batch) > 1:
            self.max_batch_bytes = max(1024, self.max_batch_bytes // 2)
            return "retry", 0.0
        # Another 4xx (a bad key, a body refused as a whole): sending it again cannot succeed.
        with self._cond:
            self._stats["batches"] += 1
            self._stats["rejected"] += len(batch)
            self._stats["last_error"] = reason
        logger.warning("metaloop refused a batch of %d event(s): %s", len(batch), reason)
        return "done", None

    def _send_metric(self, metric: str, attempt: int) -> Tuple[str, Optional[float]]:
        try:
            response = self._origin.request(
                "POST", "/api/v1/feedback/system/metric", metric.encode("utf-8"), self._post_headers, self.request_timeout
            )
            status, reason = response.status, f"system/metric: HTTP {response.status}{_problem_detail(response)}"
            retry_after = retry_after_seconds(response.headers.get("retry-after"))
        except NETWORK_ERRORS as error:
            status, reason, retry_after = 0, f"system/metric: {_describe(error)}", None
        if status in (200, 202):
            self._note(metrics_sent=1)
            return "done", None
        transient = status in (0, 408, 429) or status >= 500
        if transient and attempt < _METRIC_ATTEMPTS:
            self._note(last_error=reason)
            return "retry", retry_after
        self._note(metrics_dropped=1, last_error=reason)
        logger.warning("metaloop: a system metric given up: %s", reason)
        return "done", None

    def _note(self, last_error: Optional[str] = None, **counts: int) -> None:
        with self._cond:
            for name, value in counts.items():
                self._stats[name] += value
            if last_error is not None:
                self._stats["last_error"] = last_error


_clock_second = -1
_clock_prefix = ""


def _now_iso() -> str:
    """Now as ISO 8601 UTC with milliseconds; the date and time part is formatted once a second."""
    global _clock_second, _clock_prefix
    ms = time.time_ns() // 1_000_000
    second = ms // 1000
    if second != _clock_second:
        _clock_prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _clock_second = second
    return f"{_clock_prefix}.{ms % 1000:03d}Z"


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


def _backoff(attempt: int, base: float, cap: float, retry_after: Optional[float] = None) -> float:
    """Seconds to wait before try ``attempt + 1``: exponential with full jitter (uniform in
    [0, min(cap, base · 2^(attempt−1))]), never sooner than Retry-After (itself capped at 5 min)."""
    delay = random.uniform(0, min(cap, base * 2 ** (attempt - 1)))
    if retry_after is not None:
        delay = max(delay, min(retry_after, 300.0))
    return delay
