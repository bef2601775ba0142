import time
import uuid

from metaloop import Client


def eventually(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def event(i=0, **more):
    return {"agent_id": "helper", "session_id": f"s{i}", "implicit": {"success": True}, **more}


def bulk_requests(api):
    return [r for r in api.requests if r["path"].endswith("/collect/bulk")]


def test_assigns_a_uuid7_event_id_and_a_timestamp_unless_given(api):
    with Client(api.url) as client:
        generated = client.feedback(event())
        kept = client.feedback(event(event_id="mine", timestamp=5))
        assert uuid.UUID(generated).version == 7
        assert kept == "mine"
    sent = bulk_requests(api)[0]["body"]["events"]
    assert sent[0]["event_id"] == generated and sent[0]["timestamp"].endswith("Z")
    assert sent[1]["event_id"] == "mine" and sent[1]["timestamp"] == 5


def test_sends_full_batches_at_once_and_the_rest_on_flush(api):
    with Client(api.url, max_batch_size=10, linger=3600) as client:
        for i in range(25):
            client.feedback(event(i))
        eventually(lambda: len(bulk_requests(api)) == 2)
        assert [len(r["body"]["events"]) for r in bulk_requests(api)] == [10, 10]
        assert client.flush(5)
        assert [len(r["body"]["events"]) for r in bulk_requests(api)] == [10, 10, 5]
        assert client.stats()["sent"] == 25


def test_sends_a_partial_batch_after_the_linger(api):
    with Client(api.url, max_batch_size=500, linger=0.05) as client:
        for i in range(3):
            client.feedback(event(i))
        eventually(lambda: api.stored_events() == 3)


def test_retries_with_backoff_honouring_retry_after(api):
    api.status, api.fail_next, api.retry_after = 503, 1, "1"
    with Client(api.url, backoff_base=0.001, linger=0) as client:
        client.feedback(event())
        assert client.flush(10)
        stats = client.stats()
    attempts = bulk_requests(api)
    assert [r["status"] for r in attempts] == [503, 202]
    assert attempts[1]["at"] - attempts[0]["at"] >= 0.99  # waited what Retry-After asked (a lower bound)
    assert stats["retried"] == 1 and stats["sent"] == 1
    assert api.stored_events() == 1


def test_a_connection_cut_after_the_server_stored_the_batch_never_counts_twice(api):
    api.cut_after_processing = 1
    with Client(api.url, backoff_base=0.001) as client:
        ids = [client.feedback(event(i)) for i in range(20)]
        assert client.flush(10)
        stats = client.stats()
    assert api.stored_events() == 20
    assert all(api.event_ids[i] == 2 for i in ids)  # sent twice, stored once
    assert stats["duplicates"] == stats["sent"] == 20 and stats["retried"] == 20


def test_the_buffer_stays_bounded_dropping_the_oldest_while_metaloop_is_down(api):
    api.status = 503
    client = Client(api.url, max_buffer_size=50, max_batch_size=10, backoff_base=0.001, retry_max=0.01)
    ids = [client.feedback(event(i)) for i in range(200)]
    stats = client.stats()
    assert stats["buffered"] <= 50 and stats["in_flight"] <= 2 * 10  # two senders, a batch each
    assert stats["overflow"] >= 200 - 50 - 2 * 10 and stats["dropped"] == stats["overflow"]
    api.status = None
    assert client.flush(10)
    stats = client.stats()
    assert api.stored_events() == stats["sent"] == 200 - stats["overflow"]
    # the newest survive; beside them at most the batches that were in flight when it overflowed
    assert set(ids[-50:]) <= set(api.event_ids) and api.stored_events() <= 50 + 2 * 10
    client.close()


def test_counts_rejected_events_and_gives_up_on_a_refused_batch(api):
    with Client(api.url) as client:
        client.feedback({"session_id": "no agent"})
        client.feedback(event())
        assert client.flush(5)
        stats = client.stats()
        assert stats["rejected"] == 1 and stats["sent"] == 1
        assert stats["last_rejection"]["errors"][0]["path"] == "agent_id"
        api.status = 400
        client.feedback(event())
        assert client.flush(5)
        assert client.stats()["rejected"] == 2
        assert len(bulk_requests(api)) == 2  # a 400 is not retried


def test_close_gives_up_after_its_timeout_and_counts_what_was_left(api):
    api.status = 503
    client = Client(api.url, backoff_base=0.001, retry_max=0.01)
    for i in range(5):
        client.feedback(event(i))
    assert client.close(timeout=0.2) is False
    assert client.stats()["closed"] == 5
    client.feedback(event())
    assert client.stats()["closed"] == 6


def test_system_metrics_go_out_in_the_background(api):
    with Client(api.url) as client:
        client.system_metric("gpu-node-1", "gpu_utilization", 0.83, unit="ratio", labels={"zone": "a"}, agent_id="helper")
    assert api.metrics[0]["name"] == "gpu_utilization" and api.metrics[0]["labels"] == {"zone": "a"}


def test_feedback_never_waits_on_the_network(api):
    api.gate.clear()  # the first request is held unanswered while the agent goes on
    client = Client(api.url, max_batch_size=1)
    for i in range(100):
        client.feedback(event(i))
    eventually(lambda: len(bulk_requests(api)) == 2)  # max_concurrency: two requests held
    assert client.stats()["buffered"] == 98 and client.stats()["in_flight"] == 2
    api.gate.set()
    assert client.flush(10)
    client.close()


def test_a_system_metric_is_given_up_after_five_tries(api):
    api.status = 503
    with Client(api.url, backoff_base=0.001, retry_max=0.01) as client:
        client.system_metric("node-1", "load", 1.5)
        eventually(lambda: client.stats()["metrics_dropped"] == 1)
    assert api.count("/system/metric") == 5
