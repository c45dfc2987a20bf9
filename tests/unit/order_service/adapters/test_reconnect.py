from shared.backoff import Backoff

from order_service.adapters.reconnect import pause


def test_waits_double_up_to_the_cap_and_start_over_after_a_success():
    backoff = Backoff(base=0.5, cap=3.0, jitter=0)
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_jitter_spreads_the_waits_within_its_share():
    waits = [Backoff(base=1.0, cap=30.0).next_delay() for _ in range(200)]
    assert all(0.8 <= w <= 1.2 for w in waits) and len(set(waits)) > 100


def test_a_pause_sleeps_its_length_in_short_steps():
    slept = []
    pause(1.0, lambda: False, slept.append)
    assert sum(slept) == 1.0 and max(slept) <= 0.25


def test_a_pause_ends_as_soon_as_a_stop_is_asked_for():
    slept = []
    pause(30.0, lambda: len(slept) >= 2, slept.append)
    assert len(slept) == 2
