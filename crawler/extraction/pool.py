"""WorkerPool: extraction worker processes fed and read from the asyncio loop, a dead worker replaced at once."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import multiprocessing
import os
import pickle
import signal
import struct
import time
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import cleaners
from crawler.extraction import tasks

logger = logging.getLogger(__name__)

#: imported by the forkserver after the task modules: importing it cleans one page, so every worker forked from the
#: server starts with the cleaner's models loaded (named, not imported: the import would do that work here too)
WARMUP = "crawler.extraction.warmup"

MAX_DEATHS_IN_A_ROW = 5  # worker deaths with no task finished in between before a pool stops replacing them


class WorkerPool:
    """Worker processes driven from the event loop, with no helper thread in the crawler process.

    concurrent.futures' ProcessPoolExecutor feeds and reads its workers from two threads of the crawler process;
    on a busy machine every GIL-releasing call of Scrapy's thread (a socket send, a file write) then waited
    for those threads (profiled: ~4 ms of waiting a page). Here each worker has a task pipe and a result pipe whose ends in this
    process are non-blocking and watched by the asyncio loop: `run` frames the pickled task into a buffer
    written as the pipe drains, and results are read as they arrive. Each worker holds at most `depth` tasks, so
    a dead worker (kill -9, OOM) fails only the tasks it held (BrokenProcessPool) and is replaced at once.
    """

    def __init__(
        self, workers: int, depth: int = 2, on_death=None, preload: tuple[str, ...] = (), nice: int = 0
    ) -> None:
        self.size = workers
        self.nice = nice  # added to each worker's niceness: the crawler's event loop goes first
        self.depth = depth
        self.on_death = on_death  # called with the dead worker's pid, once per death
        self.context = _context(preload)
        self.workers: list[_Worker] = []
        self.queue: deque[tuple[asyncio.Future, bytes]] = deque()  # tasks waiting for a worker
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closed = False
        self.deaths_in_a_row = 0  # deaths since a task last finished: a worker that cannot start
        self.broken: str | None = None  # set once replacing workers is pointless: every task fails at once
        self.task_cpu = 0.0  # CPU seconds the workers spent in the tasks' functions (results received)
        self.gone_cpu = 0.0  # CPU seconds of workers no longer running, up to their last result
        for _ in range(workers):
            self.workers.append(self._start())

    def _start(self) -> _Worker:
        task_read, task_write = self.context.Pipe(duplex=False)
        result_read, result_write = self.context.Pipe(duplex=False)
        process = self.context.Process(target=_worker_loop, args=(task_read, result_write, self.nice), daemon=True)
        process.start()
        task_read.close()  # the worker holds these: EOF on the result pipe means it is gone
        result_write.close()
        worker = _Worker(process, task_write, result_read)
        for conn in (task_write, result_read):
            _grow_pipe(conn.fileno())
            os.set_blocking(conn.fileno(), False)
        if self.loop is not None and not self.loop.is_closed():
            self.loop.add_reader(worker.results.fileno(), self._readable, worker)
        return worker

    def _bind(self) -> asyncio.AbstractEventLoop:
        """Watch the workers' result pipes from the running loop (a new loop, e.g. one asyncio.run per test)."""
        loop = asyncio.get_running_loop()
        if loop is not self.loop:
            if self.loop is not None and not self.loop.is_closed():
                for worker in self.workers:
                    self.loop.remove_reader(worker.results.fileno())
                    self.loop.remove_writer(worker.tasks.fileno())
            self.loop = loop
            for worker in self.workers:
                loop.add_reader(worker.results.fileno(), self._readable, worker)
                if worker.out:
                    loop.add_writer(worker.tasks.fileno(), self._writable, worker)
        return loop

    async def run(self, fn, *args):
        """fn(*args) in a worker process; raises BrokenProcessPool when the worker running it died."""
        if self.closed:
            raise RuntimeError("worker pool is closed")
        if self.broken:
            raise BrokenProcessPool(self.broken)
        loop = self._bind()
        future = loop.create_future()
        payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        self.queue.append((future, payload))
        self._dispatch()
        return await future

    def _dispatch(self) -> None:
        assert self.loop is not None  # submit() sets it before it queues a page
        while self.queue:
            worker = min(self.workers, key=lambda w: len(w.held))
            if len(worker.held) >= self.depth:
                return
            future, payload = self.queue.popleft()
            if future.done():  # cancelled while waiting
                continue
            worker.held.append(future)
            if not worker.out:
                self.loop.add_writer(worker.tasks.fileno(), self._writable, worker)
            worker.out += (
                struct.pack("!i", len(payload)) + payload
                if len(payload) < 0x7FFFFFFF
                else struct.pack("!iQ", -1, len(payload)) + payload
            )
            self._writable(worker)

    def _writable(self, worker: _Worker) -> None:
        try:
            while worker.out:
                sent = os.write(worker.tasks.fileno(), worker.out[: 1 << 20])
                del worker.out[:sent]
        except BlockingIOError:
            return
        except OSError:  # EPIPE: the worker is gone; its result pipe reports the death
            worker.out.clear()
        assert self.loop is not None  # only ever called once a page was queued (see _dispatch)
        self.loop.remove_writer(worker.tasks.fileno())

    def _readable(self, worker: _Worker) -> None:
        try:
            while True:
                chunk = os.read(worker.results.fileno(), 1 << 20)
                if not chunk:
                    self._died(worker)
                    return
                worker.inbox += chunk
                if len(chunk) < 1 << 20:
                    break
        except BlockingIOError:
            pass
        except OSError:
            self._died(worker)
            return
        while len(worker.inbox) >= 4:
            size = struct.unpack_from("!i", worker.inbox)[0]
            head = 4
            if size == -1:
                if len(worker.inbox) < 12:
                    return
                size, head = struct.unpack_from("!Q", worker.inbox, 4)[0], 12
            if len(worker.inbox) < head + size:
                return
            ok, value, task_cpu, worker.cpu = pickle.loads(memoryview(worker.inbox)[head : head + size])
            del worker.inbox[: head + size]
            self.task_cpu += task_cpu
            self.deaths_in_a_row = 0
            future = worker.held.popleft()
            if not future.done():
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
            self._dispatch()

    def cpu(self) -> tuple[float, float]:
        """(CPU seconds of the workers up to their last results, of it in the tasks' functions): the rest is the
        cost of running tasks in worker processes (their start, reading and unpickling tasks, pickling and writing
        results)."""
        return self.gone_cpu + sum(worker.cpu for worker in self.workers), self.task_cpu

    def _died(self, worker: _Worker) -> None:
        self.gone_cpu += worker.cpu
        self._forget(worker)
        worker.process.join(timeout=1)
        pid, held = worker.process.pid, list(worker.held)
        worker.held.clear()
        if self.closed:
            return
        self.deaths_in_a_row += 1
        if self.deaths_in_a_row > MAX_DEATHS_IN_A_ROW + self.size:
            self.broken = (
                f"extraction workers keep dying ({self.deaths_in_a_row} in a row, exit code "
                f"{worker.process.exitcode}): not started again"
            )
            logger.error("%s", self.broken)
            self.workers.remove(worker)
            held += [future for future, _ in self.queue]
            self.queue.clear()
        else:
            self.workers[self.workers.index(worker)] = self._start()
        if self.on_death is not None:
            self.on_death(pid)
        for future in held:
            if not future.done():
                future.set_exception(BrokenProcessPool(self.broken or f"extraction worker {pid} died"))
        if self.workers:
            self._dispatch()

    def _forget(self, worker: _Worker) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.remove_reader(worker.results.fileno())
            self.loop.remove_writer(worker.tasks.fileno())
        worker.tasks.close()
        worker.results.close()

    def close(self, timeout: float = 10.0) -> None:
        """Stop every worker: the task pipe closes (the worker exits at EOF), then a kill after `timeout`."""
        if self.closed:
            return
        self.closed = True
        for future, _ in self.queue:
            future.cancel()
        self.queue.clear()
        for worker in self.workers:
            for future in worker.held:
                future.cancel()
            self._forget(worker)
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        self.workers.clear()


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.Process
    tasks: Connection  # this process's write end of the task pipe (non-blocking)
    results: Connection  # this process's read end of the result pipe (non-blocking)
    held: deque = field(default_factory=deque)  # futures of the tasks sent, in order
    out: bytearray = field(default_factory=bytearray)  # framed tasks not yet written
    inbox: bytearray = field(default_factory=bytearray)  # result bytes not yet a whole message
    cpu: float = 0.0  # the worker's CPU seconds when it sent its last result


def _context(preload: tuple[str, ...] = ()):
    """forkserver where available (workers import the cleaner once, in the server), else spawn. `preload`: more
    modules the server imports first (the process's first pool decides: the server is started once)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([cleaners.__name__, tasks.__name__, WARMUP, *preload])
    return context


def _grow_pipe(fd: int) -> None:
    """A 1 MB pipe buffer (Linux): most pages and records then pass in one write."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (AttributeError, OSError):
        pass


def _worker_loop(tasks: Connection, results: Connection, nice: int = 0) -> None:
    """A worker process: run each task until the task pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the crawl, which then closes the pool
    if nice:
        try:
            os.nice(nice)
        except OSError:  # not permitted here: run at the crawler's priority
            pass
    while True:
        try:
            fn, args = pickle.loads(tasks.recv_bytes())
        except EOFError:
            return
        started = time.process_time()
        try:
            reply = (True, fn(*args))
        except Exception as exc:  # handed to the awaiting coroutine
            reply = (False, exc)
        now = time.process_time()
        try:
            data = pickle.dumps((*reply, now - started, now), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an unpicklable result or exception
            data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}"), now - started, now))
        try:
            results.send_bytes(data)
        except OSError:  # the pool closed (end of the crawl, Ctrl-C) while this task ran
            return
