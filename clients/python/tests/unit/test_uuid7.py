import time
import uuid

from metaloop import Uuid7Generator, uuid7, uuid7_time_ms


def fixed(ms):
    return Uuid7Generator(lambda: ms)


def test_is_a_version_7_rfc_9562_uuid():
    value = uuid.UUID(uuid7())
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert len(str(value)) == 36


def test_carries_the_unix_milliseconds():
    assert uuid7_time_ms(fixed(2_000_000_000_000)()) == 2_000_000_000_000
    before = time.time_ns() // 1_000_000
    now = uuid7_time_ms(uuid7())
    assert before <= now <= time.time_ns() // 1_000_000


def test_ids_of_one_process_strictly_increase_and_never_repeat():
    ids = [uuid7() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)


def test_thousands_in_one_millisecond_still_increase():
    ms = 2_100_000_000_000
    generate = fixed(ms)
    ids = [generate() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    # past 4,096 in a millisecond the next one is borrowed, never more than needed
    assert uuid7_time_ms(ids[0]) == ms
    assert uuid7_time_ms(ids[-1]) - ms <= 10_000 // 2048 + 1


def test_a_clock_stepping_back_does_not_break_the_order():
    times = iter([2_200_000_000_000, 2_100_000_000_000])
    generate = Uuid7Generator(lambda: next(times))
    ahead = generate()
    behind = generate()
    assert behind > ahead


def test_random_bits_differ():
    a, b = uuid.UUID(uuid7()), uuid.UUID(uuid7())
    assert (a.int & ((1 << 62) - 1)) != (b.int & ((1 << 62) - 1))
