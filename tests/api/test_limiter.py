import threading
import time

from assistctl.api.limiter import AdaptiveLimit, Throttles


def test_limit_halves_on_throttle_and_never_drops_below_one() -> None:
    gate = AdaptiveLimit(8)
    gate.throttled()
    assert gate.limit == 4
    for _ in range(10):
        gate.throttled()
    assert gate.limit == 1
    assert gate.lowest == 1


def test_limit_grows_back_by_one_after_a_run_of_successes() -> None:
    gate = AdaptiveLimit(4, increase_after=2)
    gate.throttled()
    assert gate.limit == 2
    gate.succeeded()
    assert gate.limit == 2
    gate.succeeded()
    assert gate.limit == 3
    for _ in range(20):
        gate.succeeded()
    assert gate.limit == 4


def test_slots_bound_the_calls_in_flight() -> None:
    gate = AdaptiveLimit(3)
    in_flight = 0
    peak = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal in_flight, peak
        with gate.slot():
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            time.sleep(0.01)
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=work) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 3
    assert in_flight == 0


def test_a_burst_of_429s_halves_once_and_a_retry_counts_again() -> None:
    gate = AdaptiveLimit(8)
    both_in = threading.Barrier(2)
    first_throttled = threading.Event()
    limits: list[int] = []

    def first() -> None:
        with gate.slot():
            both_in.wait()
            gate.throttled()
            first_throttled.set()

    def second() -> None:
        with gate.slot():
            both_in.wait()
            first_throttled.wait()
            gate.throttled()  # sent before the decrease: the same burst
            limits.append(gate.limit)
            gate.throttled()  # its retry, sent after it: a new signal

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limits == [4]
    assert gate.limit == 2
    assert gate.decreases == 2
    assert gate.lowest == 2


def test_throttles_reach_the_limit_only_while_it_is_fed() -> None:
    """The client reports every 429; only those during apply narrow apply's limit."""
    throttles = Throttles()
    gate = AdaptiveLimit(8)
    throttles()  # a 429 to the listing, before apply
    with throttles.feeding(gate):
        throttles()
    throttles()  # after apply
    assert gate.limit == 4 and gate.decreases == 1
