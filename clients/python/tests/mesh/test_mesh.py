"""The Python client against the real mesh (three apps, Postgres, NATS, Redis), run by
e2e/src/sdk-python.e2e.ts. The agent has a rollout running at 50 %, so sessions have arms."""

from __future__ import annotations

from mesh_support import CuttingProxy, Mesh, eventually

from metaloop import Client


def sessions_by_arm(client: Client, agent_id: str) -> dict:
    arms: dict = {}
    for i in range(200):
        served = client.config(agent_id, session_id=f"py-probe-{i}")
        assert served.source == "network", served
        arms.setdefault(served.arm, f"py-probe-{i}")
        if len(arms) == 2:
            return arms
    raise AssertionError(f"200 sessions, arms seen: {arms}")


def test_revalidates_with_etags_and_feedback_api_counts_the_304s(mesh: Mesh):
    not_modified = lambda: mesh.metric("metaloop_config_requests_total", agent_id=mesh.agent_id, result="not_modified")  # noqa: E731
    before = not_modified()
    with Client(mesh.feedback_url, max_age=0) as client:
        first = client.config(mesh.agent_id, session_id="py-cache")
        assert first.source == "network" and first.etag and first.config["model"]
        served = [client.config(mesh.agent_id, session_id="py-cache") for _ in range(5)]
        assert {s.source for s in served} == {"not_modified"}
        assert {s.revision_id for s in served} == {first.revision_id}
        assert client.stats()["not_modified"] == 5
    assert not_modified() - before == 5
    # within max_age nothing is asked at all
    with Client(mesh.feedback_url, max_age=60) as client:
        client.config(mesh.agent_id, session_id="py-cache")
        assert [client.config(mesh.agent_id, session_id="py-cache").source for _ in range(3)] == ["cache"] * 3
    assert not_modified() - before == 5


def test_a_session_keeps_its_sticky_arm(mesh: Mesh):
    with Client(mesh.feedback_url, max_age=0) as client:
        arms = sessions_by_arm(client, mesh.agent_id)
        assert set(arms) == {"stable", "canary"}
        for arm, session in arms.items():
            first = client.config(mesh.agent_id, session_id=session)
            again = [client.config(mesh.agent_id, session_id=session) for _ in range(10)]
            assert {(s.arm, s.revision_id) for s in again} == {(arm, first.revision_id)}
    with Client(mesh.feedback_url) as other:  # another process' client: the same arm
        for arm, session in arms.items():
            assert other.config(mesh.agent_id, session_id=session).arm == arm


def test_a_connection_cut_mid_request_never_counts_an_event_twice(mesh: Mesh):
    proxy = CuttingProxy(mesh.feedback_url)
    proxy.cuts = 3  # three answers lost after feedback-api accepted their batches
    try:
        with Client(proxy.url, max_batch_size=50, linger=0.01, backoff_base=0.05) as client:
            ids = [
                client.feedback({"agent_id": mesh.counted_agent_id, "session_id": f"py-cut-{i}", "implicit": {"success": True}})
                for i in range(300)
            ]
            assert client.flush(60)
            stats = client.stats()
    finally:
        proxy.close()
    assert proxy.cut == 3 and stats["retried"] >= 3 * 50
    assert stats["sent"] == 300 and stats["duplicates"] >= 1
    assert stats["dropped"] == 0
    # the two counts are two queries: wait until both are in, then neither may exceed 300
    eventually(lambda: min((c := mesh.counts(mesh.counted_agent_id)).values()) >= 300 and c)
    assert mesh.counts(mesh.counted_agent_id) == {"events": 300, "rollup": 300}
    assert sorted(mesh.stored(ids)) == sorted(ids)


def test_falls_back_while_feedback_api_is_stopped_and_keeps_the_buffer_bounded(mesh: Mesh):
    client = Client(mesh.feedback_url, max_age=0, timeout=0.5, max_buffer_size=100, max_batch_size=20, backoff_base=0.05, retry_max=0.5)
    live = client.config(mesh.agent_id, session_id="py-outage")
    assert live.source == "network"
    stable_session = sessions_by_arm(client, mesh.agent_id)["stable"]
    stable = client.config(mesh.agent_id, session_id=stable_session)
    mesh.stop_feedback_api()
    try:
        served = client.config(mesh.agent_id, session_id="py-outage")
        assert served.stale and served.source == "fallback"
        assert "ConnectionRefusedError" in served.reason
        assert (served.revision_id, served.arm, served.config) == (live.revision_id, live.arm, live.config)
        unseen = client.config(mesh.agent_id, session_id="py-outage-new-session")
        # a session never served: the agent's last stable config, saying so
        assert unseen.stale and (unseen.arm, unseen.revision_id) == ("stable", stable.revision_id)
        assert "not this session's" in unseen.reason
        ids = [
            client.feedback({"agent_id": mesh.buffered_agent_id, "session_id": f"py-down-{i}", "implicit": {"success": True}})
            for i in range(500)
        ]
        eventually(lambda: client.stats()["retried"] >= 2 * 20)
        stats = client.stats()
        assert stats["buffered"] <= 100 and stats["in_flight"] <= 2 * 20
        assert stats["overflow"] >= 500 - 100 - 2 * 20 and stats["sent"] == 0
    finally:
        mesh.start_feedback_api()
    assert client.flush(60)
    stats = client.stats()
    assert stats["sent"] == 500 - stats["overflow"] and stats["duplicates"] == 0
    stored = eventually(lambda: (found := set(mesh.stored(ids))) and len(found) >= stats["sent"] and found)
    assert set(ids[-100:]) <= stored and len(stored) == stats["sent"]
    eventually(lambda: not client.config(mesh.agent_id, session_id="py-outage").stale)
    client.close()
