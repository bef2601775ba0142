import time

import pytest

from metaloop import Client, MetaloopUnavailable


def client_for(api, **options):
    options.setdefault("timeout", 0.5)
    return Client(api.url, **options)


def test_fetches_then_serves_from_the_cache_within_its_ttl(api):
    with client_for(api, max_age=60) as client:
        first = client.config("helper", session_id="s1")
        assert first.source == "network" and not first.stale
        assert first.revision_id == "rev_1" and first.arm == "stable" and first.config["model"] == "m"
        again = client.config("helper", session_id="s1")
        assert again.source == "cache" and again.revision_id == "rev_1"
        assert api.count("/config") == 1
        assert client.stats()["config_cache_hits"] == 1 and client.stats()["config_calls"] == 2


def test_revalidates_with_the_etag_and_counts_304s(api):
    with client_for(api, max_age=0) as client:
        client.config("helper", session_id="s1")
        for _ in range(3):
            assert client.config("helper", session_id="s1").source == "not_modified"
        assert api.count("/config", 304) == 3
        assert all(r["headers"].get("if-none-match") for r in api.requests[1:])
        api.revision = "rev_2"
        changed = client.config("helper", session_id="s1")
        assert changed.source == "network" and changed.revision_id == "rev_2"
        assert client.stats()["not_modified"] == 3


def test_sends_the_subject_the_query_and_the_key(api):
    with client_for(api, api_key="mk_secret") as client:
        client.config("helper", session_id="s 1", subject_id="user-7", query="how do I reset?")
        request = api.requests[-1]
        assert request["headers"]["authorization"] == "Bearer mk_secret"
    with client_for(api) as client:
        client.config("helper", session_id="s1", query="x" * 5000)
        assert api.requests[-1]["method"] == "POST"


def test_serves_the_last_config_flagged_stale_when_metaloop_is_unreachable(api):
    client = client_for(api, max_age=0)
    client.config("helper", session_id="s1")
    api.stop()
    served = client.config("helper", session_id="s1")
    assert served.source == "fallback" and served.stale
    assert "ConnectionRefusedError" in served.reason
    assert served.revision_id == "rev_1" and served.config["model"] == "m"
    other = client.config("helper", session_id="never-seen")
    assert other.stale and other.revision_id == "rev_1"
    assert "not this session's" in other.reason
    unknown = client.config("other-agent", session_id="s1")
    assert unknown.source == "none" and unknown.config is None and unknown.stale
    client.close(timeout=0)


def test_serves_the_last_config_when_metaloop_is_slow(api):
    with client_for(api, max_age=0, timeout=0.2) as client:
        client.config("helper", session_id="s1")
        api.delay = 1.0
        served = client.config("helper", session_id="s1")
        assert served.stale and "timed out" in served.reason.lower()
        api.delay = 0


def test_after_a_failure_serves_from_the_cache_without_asking_until_retry_after(api):
    with client_for(api, max_age=0) as client:
        client.config("helper", session_id="s1")
        api.status, api.retry_after = 503, "30"
        assert client.config("helper", session_id="s1").reason == "config of helper: HTTP 503 (induced)"
        asked = len(api.requests)
        for _ in range(5):
            assert client.config("helper", session_id="s1").stale
        assert len(api.requests) == asked


def test_comes_back_once_metaloop_answers_again(api):
    with client_for(api, max_age=0, retry_after_failure=0.01, retry_max=0.02) as client:
        client.config("helper", session_id="s1")
        api.status = 500
        assert client.config("helper", session_id="s1").stale
        api.status = None
        deadline = time.monotonic() + 5
        while client.config("helper", session_id="s1").stale and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not client.config("helper", session_id="s1").stale


def test_raise_on_error_raises_instead_of_falling_back(api):
    with client_for(api, raise_on_error=True) as client:
        api.status = 503
        with pytest.raises(MetaloopUnavailable, match="HTTP 503"):
            client.config("helper", session_id="s1")


def test_the_cache_is_bounded(api):
    with client_for(api, cache_size=3) as client:
        for i in range(10):
            client.config("helper", session_id=f"s{i}")
        assert client.stats()["config_cached"] == 3


def test_the_fallback_option_answers_for_an_agent_never_served(api):
    api.stop()
    with client_for(api, fallback={"model": "local"}) as client:
        served = client.config("helper", session_id="s1")
        assert served.stale and served.source == "none" and served.config == {"model": "local"}
        assert served.served is None
    with client_for(api, fallback=lambda agent_id: {"model": f"for-{agent_id}"}) as client:
        assert client.config("helper", session_id="s1").config == {"model": "for-helper"}
        stats = client.stats()
        assert stats["config_errors"] == stats["stale_serves"] == 1


def test_counts_timeouts_errors_and_stale_serves(api):
    with client_for(api, max_age=0, timeout=0.2) as client:
        client.config("helper", session_id="s1")
        api.delay = 1.0
        client.config("helper", session_id="s1")
        api.delay = 0
        stats = client.stats()
        assert stats["config_timeouts"] == stats["config_errors"] == stats["stale_serves"] == 1
        assert stats["config_fetched"] == 1 and stats["config_calls"] == 2


def test_an_unexpected_error_is_served_stale_too(api, monkeypatch):
    with client_for(api, max_age=0) as client:
        client.config("helper", session_id="s1")

        def broken(*args, **kwargs):
            raise RuntimeError("a bug")

        monkeypatch.setattr(client._origin, "request", broken)
        served = client.config("helper", session_id="s1")
        assert served.stale and served.reason == "config of helper: RuntimeError: a bug"
