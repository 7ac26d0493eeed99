"""A small, bounded HTTP load generator: threads and ``http.client``.

Each thread keeps one connection open while the server allows it (gunicorn's
sync workers close after every response, so a thread reconnects, as a browser
would). A run stops after a fixed number of requests or a time cap, whichever
comes first, and only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass
class RunResult:
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    exceptions: int = 0
    errors: list[str] = field(default_factory=list)  # a few examples to show
    bytes_received: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def failures(self) -> int:
        return self.requests - self.statuses[200] + self.exceptions

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000

    @property
    def mean_bytes(self) -> int:
        return self.bytes_received // self.requests if self.requests else 0


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """One GET, for checks before a run."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def run(
    *,
    name: str,
    port: int,
    paths: Sequence[str],
    headers: Sequence[dict[str, str]],
    total: int,
    concurrency: int,
    max_seconds: float,
) -> RunResult:
    """GET ``paths`` in rotation until ``total`` requests or ``max_seconds``.

    Thread ``n`` sends ``headers[n % len(headers)]`` (e.g. its own session).
    """
    lock = threading.Lock()
    issued = 0
    result = RunResult(name=name, seconds=0.0)
    deadline = time.perf_counter() + max_seconds

    def next_index() -> int | None:
        nonlocal issued
        with lock:
            if issued >= total or time.perf_counter() >= deadline:
                return None
            issued += 1
            return issued

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        own_headers = {
            "User-Agent": "microcred-bench",
            "Accept": "text/html",
            "Accept-Language": "en",
            **headers[n % len(headers)],
        }
        latencies: list[float] = []
        statuses: Counter = Counter()
        errors: list[str] = []
        exceptions = 0
        received = 0
        while (index := next_index()) is not None:
            path = paths[index % len(paths)]
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=own_headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                exceptions += 1
                if len(errors) < 5:
                    errors.append(f"{path}: {type(exc).__name__}: {exc}")
                continue
            latencies.append(time.perf_counter() - started)
            statuses[response.status] += 1
            received += len(body)
            if response.status != 200 and len(errors) < 5:
                snippet = body[:200].decode("utf-8", "replace").replace("\n", " ")
                errors.append(f"{path}: HTTP {response.status}: {snippet}")
        conn.close()
        with lock:
            result.latencies.extend(latencies)
            result.statuses.update(statuses)
            result.errors.extend(errors)
            result.exceptions += exceptions
            result.bytes_received += received

    threads = [
        threading.Thread(target=worker, args=(n,), daemon=True)
        for n in range(concurrency)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
