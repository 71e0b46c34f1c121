"""Work done in forked worker processes, its results taken back in the order it was sent.

The import judges records and the export writes out answers this way on the command
line: this process goes on reading and writing while the workers compute, at most
``in_flight`` pieces of work are waiting (memory stays bounded), and each result comes
back in the order of its work, so the files are written in a fixed order.

The workers are forked (``fork``), not started afresh: each gets what ``initializer``
receives as it is in this process at the fork (unwrapped data keys, a sealer) without
pickling, and must never touch the database or the key store with it. They ignore
Ctrl-C, which is this process's to handle. A worker that dies (the out-of-memory killer)
makes the next result raise what ``broken()`` gives — the caller's message in Danish and
English — instead of a wait for ever with a transaction open.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool


def _start(initializer, initargs):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)


class InOrder:
    """``submit(tag, fn, *args)`` sends ``fn(*args)`` to a worker and gives back the
    ``(tag, result)`` pairs finished meanwhile, oldest first; ``drain()`` the rest;
    ``close()`` always (it cancels what is left and waits for the workers to stop)."""

    def __init__(self, workers: int, *, in_flight: int, broken: Callable[[], Exception],
                 initializer: Callable | None = None, initargs: tuple = ()):
        # The workers are forked at the first submit, each running ``initializer`` there.
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                         initializer=_start, initargs=(initializer, initargs))
        self._pending: deque = deque()
        self.in_flight, self.broken = in_flight, broken

    def submit(self, tag, fn, *args) -> list:
        try:
            future = self._pool.submit(fn, *args)
        except BrokenProcessPool:  # a worker died since the last result was taken
            raise self.broken() from None
        self._pending.append((tag, future))
        done = []
        while len(self._pending) > self.in_flight:
            done.append(self._next())
        return done

    def drain(self) -> list:
        return [self._next() for _ in range(len(self._pending))]

    def _next(self):
        tag, future = self._pending.popleft()
        try:
            return tag, future.result()
        except BrokenProcessPool:
            raise self.broken() from None

    def close(self):
        for _tag, future in self._pending:
            future.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
