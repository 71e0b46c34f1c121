"""lib/forked.py: results in the order of their work, a dead worker said, not waited for."""

import os
import time

import pytest

from overgang.lib import forked

_GIVEN = None


def _remember(value):
    global _GIVEN
    _GIVEN = value


def _slow_then_fast(n):
    time.sleep(0.05 if n % 3 == 0 else 0)  # later work often finishes first
    return n * n, _GIVEN, os.getpid()


def _dies(_n):
    os._exit(9)


class Stopped(RuntimeError):
    pass


def test_results_come_back_in_the_order_of_their_work_from_forked_workers():
    pool = forked.InOrder(2, in_flight=3, broken=Stopped, initializer=_remember, initargs=("held at the fork",))
    try:
        done = []
        for n in range(20):
            finished = pool.submit(f"tag{n}", _slow_then_fast, n)
            assert len(pool._pending) <= 3
            done += finished
        done += pool.drain()
    finally:
        pool.close()
    assert [tag for tag, _result in done] == [f"tag{n}" for n in range(20)]
    assert [result[0] for _tag, result in done] == [n * n for n in range(20)]
    assert {result[1] for _tag, result in done} == {"held at the fork"}
    assert os.getpid() not in {result[2] for _tag, result in done}


@pytest.mark.parametrize("wait", [0, 0.5])
def test_a_worker_that_dies_raises_the_callers_error(wait):
    """Whether the pool is found broken while a result is awaited or at the next
    submit (the worker died in between): the caller's error, never the executor's."""
    pool = forked.InOrder(1, in_flight=1, broken=Stopped)
    try:
        with pytest.raises(Stopped):
            pool.submit(1, _dies, 1)
            time.sleep(wait)
            pool.submit(2, _dies, 2)
            pool.drain()
    finally:
        pool.close()
