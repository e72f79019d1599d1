"""A per-client rate limit: a token bucket per client address, 429 with Retry-After when spent.

Each bucket holds up to N requests and refills at N per window ("120/minute"), so a client
may burst N requests and then keep to the rate. Buckets live in the server process: with
several gunicorn workers a client gets up to N per worker. Behind a reverse proxy, the app
must see the client's address (werkzeug's ProxyFix), or every client shares the proxy's bucket.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass

from flask import current_app, request
from werkzeug.exceptions import TooManyRequests

from .errors import wants_json

DEFAULT = "120/minute"
WINDOWS = {"second": 1, "minute": 60, "hour": 3600}
EXEMPT_PATHS = ("/healthz", "/metrics")  # probes and scrapers: these paths exactly
EXEMPT_PREFIX = "/static/"  # the page's own files
_FORMAT = re.compile(r"(\d+)\s*/\s*(second|minute|hour)")
MAX_CLIENTS = 100_000  # buckets kept before full ones are forgotten


@dataclass(frozen=True)
class Rate:
    """N requests per window of seconds."""

    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        match = _FORMAT.fullmatch(text.strip())
        return cls(int(match.group(1)), WINDOWS[match.group(2)])


class Limiter:
    """Token buckets by client."""

    def __init__(self, rate: Rate, clock=time.monotonic):
        self.rate = rate
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Spend one request of the client's; 0 when allowed, else seconds until it would be."""
        per_second = self.rate.requests / self.rate.seconds
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.get(client, (self.rate.requests, now))
            tokens = min(self.rate.requests, tokens + (now - then) * per_second)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                if len(self._buckets) > MAX_CLIENTS:
                    self._forget_full(now, per_second)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / per_second

    def _forget_full(self, now: float, per_second: float) -> None:
        # a bucket that has refilled is the same as no bucket
        self._buckets = {
            client: (tokens, then) for client, (tokens, then) in self._buckets.items()
            if tokens + (now - then) * per_second < self.rate.requests
        }


def _check():
    if (request.method == "OPTIONS" or request.path in EXEMPT_PATHS
            or request.path.startswith(EXEMPT_PREFIX)):
        return None
    wait = current_app.extensions["rate_limiter"].take(request.remote_addr or "unknown")
    if wait:
        seconds = max(1, math.ceil(wait))
        raise TooManyRequests(
            description=("too many requests from this client: wait before the next one"
                         if wants_json() else
                         f"Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau {seconds} giây."),
            retry_after=seconds,
        )
    return None


def init_app(app):
    """Turn the limit of RATE_LIMIT on: unset means the default, off under TESTING."""
    setting = app.config["RATE_LIMIT"]
    if setting is None:
        setting = "off" if app.config["TESTING"] else DEFAULT
    if str(setting).strip().lower() == "off":
        return
    app.extensions["rate_limiter"] = Limiter(Rate.parse(str(setting)))
    app.before_request(_check)
