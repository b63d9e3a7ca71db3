"""How many live sessions one model worker can serve, from what its decodes really cost.

Each live session needs one decode of its window at least every ``interval`` seconds (a
longer gap pushes commit latency past what dictation tolerates: a word commits when two
windows agree on it, about two intervals and a decode after it was said; the server's
``ServeLimits.decode_interval``). The cost recorded is that of a window while sessions share
the worker (``DecodeWorker`` decodes those greedily). The worker
decodes up to ``max_batch`` windows per call, so ``n`` sessions cost
``ceil(n / max_batch)`` calls per interval; they fit while that work takes at most
``headroom`` of the interval. The cost of a call of each batch size is measured: once at
start-up (``calibrate``) and then on every real decode (an exponential moving average), so
capacity follows the machine: a busy host admits fewer sessions.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Admission:
    ok: bool
    reason: str = ""


class Capacity:
    def __init__(self, *, max_batch: int = 1, headroom: float = 0.8, alpha: float = 0.3) -> None:
        self.max_batch = max(1, max_batch)
        self.headroom = headroom
        self.alpha = alpha
        self._cost: dict[int, float] = {}  # batch size -> seconds per call (EWMA)
        self._lock = threading.Lock()

    def record(self, batch: int, seconds: float) -> None:
        with self._lock:
            old = self._cost.get(batch)
            self._cost[batch] = seconds if old is None else (1 - self.alpha) * old + self.alpha * seconds

    def cost(self, batch: int) -> float | None:
        """Seconds for one call decoding ``batch`` windows: measured, interpolated between
        measured sizes, or scaled in proportion from the nearest (batching is assumed to save
        nothing beyond what was measured)."""
        with self._lock:
            if batch in self._cost:
                return self._cost[batch]
            if not self._cost:
                return None
            lo = max((b for b in self._cost if b < batch), default=None)
            hi = min((b for b in self._cost if b > batch), default=None)
            if lo is not None and hi is not None:
                return self._cost[lo] + (self._cost[hi] - self._cost[lo]) * (batch - lo) / (hi - lo)
            near = lo if lo is not None else hi
            assert near is not None
            return self._cost[near] * batch / near

    def round_seconds(self, sessions: int) -> float | None:
        """Worker seconds to decode one window of each of ``sessions`` sessions."""
        if sessions <= 0:
            return 0.0
        full, rest = divmod(sessions, self.max_batch)
        big = self.cost(self.max_batch) if full else 0.0
        small = self.cost(rest) if rest else 0.0
        if big is None or small is None:
            return None
        return full * big + small

    def sessions(self, interval: float = 2.0, limit: int = 256) -> int:
        """How many sessions fit, each decoded every ``interval`` seconds (at least 1: a
        server that admits nobody serves nobody)."""
        budget = self.headroom * interval
        n = 1
        while n < limit:
            need = self.round_seconds(n + 1)
            if need is None or need > budget:
                break
            n += 1
        return n

    def admit(self, active: int, *, interval: float = 2.0, worst_lag: float = 0.0, lag_bound: float = float("inf"), cap: int = 0) -> Admission:
        """May a new session start beside ``active`` ones? ``cap``: a configured maximum (0: none)."""
        if cap and active >= cap:
            return Admission(False, f"{active} sessions are open (the configured maximum is {cap})")
        if worst_lag > lag_bound:
            return Admission(False, f"open sessions are {worst_lag:.1f} s behind the audio")
        fit = self.sessions(interval)
        if active + 1 > fit:
            per = self.cost(1)
            return Admission(False, f"{active} sessions are open and this machine serves {fit} at once"
                             + (f" (a decode takes {per:.2f} s)" if per else ""))
        return Admission(True)

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            costs = {str(b): round(c, 4) for b, c in sorted(self._cost.items())}
        return {"max_batch": self.max_batch, "headroom": self.headroom, "seconds_per_call": costs}
