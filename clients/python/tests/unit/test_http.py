import email.utils

from metaloop._http import retry_after_seconds
from metaloop.client import _backoff


def test_retry_after_as_seconds_or_an_http_date():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(email.utils.formatdate(1_000_030, usegmt=True), now=1_000_000) == 30.0
    assert retry_after_seconds(email.utils.formatdate(999_000, usegmt=True), now=1_000_000) == 0.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None


def test_backoff_is_full_jitter_under_an_exponential_cap_and_never_sooner_than_retry_after():
    for attempt in range(1, 12):
        for _ in range(50):
            assert 0 <= _backoff(attempt, 0.2, 30.0) <= min(30.0, 0.2 * 2 ** (attempt - 1))
    assert _backoff(1, 0.2, 30.0, retry_after=5.0) >= 5.0
    assert _backoff(1, 0.2, 30.0, retry_after=10_000.0) == 300.0
