"""UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then randomness, so ids sort by time."""

from __future__ import annotations

import os
import threading
import time
import uuid
from typing import Callable, Optional


class Uuid7Generator:
    """Ids of one generator strictly increase: in the same millisecond the 12-bit ``rand_a``
    field counts up from a random start (RFC 9562 method 1; past 4,096 ids the next millisecond
    is borrowed), and a clock that steps back keeps the last millisecond."""

    def __init__(self, clock_ms: Optional[Callable[[], int]] = None) -> None:
        self._clock_ms = clock_ms or (lambda: time.time_ns() // 1_000_000)
        self._lock = threading.Lock()
        self._last_ms = -1
        self._seq = 0
        self._pool = b""
        self._pool_at = 0

    def __call__(self) -> str:
        ms = self._clock_ms()
        with self._lock:
            # os.urandom in 4 KiB draws: one system call per 409 ids, not one per id
            if self._pool_at + 10 > len(self._pool):
                self._pool, self._pool_at = os.urandom(4096), 0
            random = int.from_bytes(self._pool[self._pool_at : self._pool_at + 10], "big")
            self._pool_at += 10
            if ms <= self._last_ms:
                ms = self._last_ms
                self._seq += 1
                if self._seq > 0xFFF:
                    ms += 1
                    self._seq = random & 0x7FF
            else:
                self._seq = random & 0x7FF  # a random start with headroom to count up
            self._last_ms = ms
            seq = self._seq
        rand_b = (random >> 16) & ((1 << 62) - 1)
        value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | seq << 64 | 0b10 << 62 | rand_b
        text = f"{value:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


uuid7 = Uuid7Generator()
"""A new UUIDv7 as text (the process-wide generator)."""


def uuid7_time_ms(value: str) -> int:
    """The Unix milliseconds a UUIDv7 carries."""
    return uuid.UUID(value).int >> 80
