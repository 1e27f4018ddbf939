"""Kindred's Prometheus metrics, in a registry of each bot's own (never the global one).

Counters and histograms move where the work happens (an interaction finishing, a database
transaction, a scheduled post, a Discord response); gauges that only describe the present
(gateway, send queue) are read when Prometheus scrapes. Every label value comes from a
small set the code chose (command names, custom-id words, route templates), never from
what members type, and holds no id: route groups and custom ids are cut before the first
segment that is not a known word, and past `LABEL_CAP` new values become "other".
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from bot.observe.context import ANSWERED, FAILED, REFUSED, Served

# The bot's own work is ~1 ms of CPU; under a burst it waits for the loop (bench/interactions.py).
WORK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
DB_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
SCHEDULED_KINDS = ("prompt", "digest", "nudge")
SCHEDULED_OUTCOMES = ("posted", "retry", "missed", "failed", "recovered")
GRADES = ("none", "possible", "strong")
LABEL_CAP = 200  # distinct values per label before new ones are counted as "other"

_WORD = re.compile(r"^[a-z][a-z_-]{0,31}$")
_API = re.compile(r"^/api/v\d+")
# Every literal segment of Discord's REST routes Kindred can reach; anything else in a path
# (an id, an interaction token, an emoji) never becomes part of a label.
ROUTE_WORDS = frozenset(
    """channels messages threads guilds webhooks interactions callback users @me @original
    applications commands members roles reactions pins typing gateway bot invites emojis
    stickers permissions bulk-delete crosspost followers search active archived public
    private thread-members auto-moderation rules audit-logs bans prune regions integrations
    widget scheduled-events templates onboarding polls answers expire entitlements skus
    recipients oauth2 attachments""".split()
)


def route_group(path: str) -> str:
    """/api/v10/channels/123/messages/456 -> /channels/{id}/messages/{id}; tokens -> {token}."""
    parts: list[str] = []
    for segment in _API.sub("", path).split("/")[1:9]:
        if segment in ROUTE_WORDS:
            parts.append(segment)
        elif segment.isdigit():
            parts.append("{id}")
        elif parts[-2:-1] in (["webhooks"], ["interactions"]):
            parts.append("{token}")
        else:
            parts.append("{}")
    return "/" + "/".join(parts)


def custom_id_label(custom_id: str) -> str:
    """kindred:story:post:123 -> kindred:story:post. Ids of discord.py's own views (random
    hex) and anything not ours -> "view"."""
    parts = custom_id.split(":")
    if parts[0] != "kindred":
        return "view"
    words = []
    for part in parts[:4]:
        if not _WORD.match(part):
            break
        words.append(part)
    return ":".join(words)


def grade_label(grade: Any) -> str:
    name = str(getattr(grade, "name", grade)).lower()
    return name if name in GRADES else "other"


class _Bounded:
    """Label values seen so far; past the cap a new value is reported as "other"."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.seen: set[str] = set(known)

    def __call__(self, value: str) -> str:
        if value in self.seen:
            return value
        if len(self.seen) >= LABEL_CAP:
            return "other"
        self.seen.add(value)
        return value


class NullMetrics:
    """What `bot.metrics` is when `[observe]` is off: every call does nothing."""

    enabled = False

    def scheduled_post(self, kind: str, outcome: str, count: int = 1) -> None:
        pass

    def crisis_grade(self, grade: Any) -> None:
        pass


NO_METRICS = NullMetrics()


class Metrics:
    """One bot's metrics. `watch(bot)` adds the gauges read from the bot at scrape time."""

    enabled = True

    def __init__(self) -> None:
        # No `*_created` series beside every counter and histogram: twice the series for a
        # timestamp nobody graphs (a process-wide switch of prometheus-client; the bot is
        # the process).
        disable_created_metrics()
        self.registry = registry = CollectorRegistry()
        self.interactions = Counter(
            "kindred_interactions",
            "Interactions served, by kind (command, autocomplete, component, modal), command "
            "and outcome (answered, refused, failed)",
            ("kind", "command", "outcome"),
            registry=registry,
        )
        self.work = Histogram(
            "kindred_interaction_work_seconds",
            "The bot's own work per interaction: arrival until its handlers finished, "
            "less waits for the send queue",
            ("kind", "command"),
            buckets=WORK_BUCKETS,
            registry=registry,
        )
        self.scheduled = Counter(
            "kindred_scheduled_posts",
            "Scheduled posts by kind (prompt, digest, nudge) and outcome",
            ("kind", "outcome"),
            registry=registry,
        )
        self.grades = Counter(
            "kindred_crisis_checks",
            "Crisis-check grades given to what members wrote (counts only)",
            ("grade",),
            registry=registry,
        )
        self.http = Counter(
            "kindred_discord_http_responses",
            "Discord HTTP responses seen (every try, retries included), by method, route "
            "group (ids stripped) and status; status 'error' when no response came",
            ("method", "route", "status"),
            registry=registry,
        )
        self.db = Histogram(
            "kindred_db_transaction_seconds",
            "Database calls, from the await until the answer (queue on the database thread "
            "included), by kind (atomic, snapshot, read, write)",
            ("kind",),
            buckets=DB_BUCKETS,
            registry=registry,
        )
        self.db_errors = Counter(
            "kindred_db_errors",
            "Database calls that raised, by kind and exception class",
            ("kind", "error"),
            registry=registry,
        )
        ProcessCollector(registry=registry)  # process_resident_memory_bytes and friends
        for kind in SCHEDULED_KINDS:
            for outcome in SCHEDULED_OUTCOMES:
                self.scheduled.labels(kind, outcome)
        for grade in GRADES:
            self.grades.labels(grade)
        self._commands = _Bounded()
        self._kinds = _Bounded(SCHEDULED_KINDS)
        self._outcomes = _Bounded(SCHEDULED_OUTCOMES)
        self._routes = _Bounded()
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}
        self._db_children = {kind: self.db.labels(kind) for kind in ("atomic", "snapshot")}

    def watch(self, bot: Any) -> None:
        self.registry.register(_Live(bot))

    # ----- what features call --------------------------------------------------------------
    def scheduled_post(self, kind: str, outcome: str, count: int = 1) -> None:
        """kind: prompt, digest or nudge; outcome: posted, retry, missed, failed, recovered."""
        if count > 0:
            self.scheduled.labels(self._kinds(kind), self._outcomes(outcome)).inc(count)

    def crisis_grade(self, grade: Any) -> None:
        self.grades.labels(grade_label(grade)).inc()

    # ----- what the bot's plumbing calls ---------------------------------------------------
    def served(self, served: Served) -> None:
        """An interaction whose handlers all finished."""
        key = (served.kind, served.command, served.outcome)
        children = self._children.get(key)
        if children is None:
            command = self._commands(served.command)
            children = (
                self.interactions.labels(served.kind, command, served.outcome),
                self.work.labels(served.kind, command),
            )
            self._children[key] = children
        count, work = children
        count.inc()
        work.observe(max(0.0, time.perf_counter() - served.started - served.waited))

    def db_call(self, kind: str, seconds: float, error: BaseException | None) -> None:
        """The store's timing hook (Store.timing)."""
        child = self._db_children.get(kind)
        if child is None:
            child = self._db_children[kind] = self.db.labels(kind)
        child.observe(seconds)
        if error is not None:
            self.db_errors.labels(kind, type(error).__name__).inc()

    def http_trace(self):
        """An aiohttp TraceConfig counting every Discord response by route group and status."""
        import aiohttp  # the bot's HTTP client; only needed when metrics are on

        trace = aiohttp.TraceConfig()

        async def on_end(session, context, params) -> None:
            self.http_response(params.method, params.url, str(params.response.status))

        async def on_exception(session, context, params) -> None:
            self.http_response(params.method, params.url, "error")

        trace.on_request_end.append(on_end)
        trace.on_request_exception.append(on_exception)
        return trace

    def http_response(self, method: str, url: Any, status: str) -> None:
        host = getattr(url, "host", "") or ""
        route = "gateway" if host.startswith("gateway") else route_group(url.path)
        self.http.labels(method, self._routes(route), status).inc()


class _Live:
    """Gauges read from the bot when Prometheus scrapes: the gateway and the send queue."""

    def __init__(self, bot: Any):
        self.bot = bot

    def describe(self) -> Iterable[Metric]:
        return ()

    def collect(self) -> Iterable[Metric]:
        bot = self.bot
        connected = GaugeMetricFamily(
            "kindred_gateway_connected",
            "1 while the shard's gateway connection is up (READY or RESUMED since the last drop)",
            labels=("shard",),
        )
        for shard, up in bot.gateway.states(bot).items():
            connected.add_metric((str(shard),), 1.0 if up else 0.0)
        yield connected
        latency = GaugeMetricFamily(
            "kindred_gateway_latency_seconds",
            "Time between the gateway's heartbeat and its acknowledgement, per shard",
            labels=("shard",),
        )
        for shard, seconds in latencies(bot):
            if math.isfinite(seconds):
                latency.add_metric((str(shard),), seconds)
        yield latency
        queue = getattr(bot, "send_queue", None)
        if queue is None or not hasattr(queue, "in_window"):
            return
        yield GaugeMetricFamily(
            "kindred_send_queue_waiting",
            "Sends waiting for a slot in the rate-aware send queue",
            value=queue.waiting,
        )
        yield GaugeMetricFamily(
            "kindred_send_queue_requests_per_second",
            "Requests the send queue started in the last second",
            value=queue.in_window() / queue.per,
        )
        yield GaugeMetricFamily(
            "kindred_send_queue_budget_requests_per_second",
            "The send queue's budget (Discord allows 50 per second per bot)",
            value=queue.rate / queue.per,
        )
        yield CounterMetricFamily(
            "kindred_send_queue_requests",
            "Requests started through the send queue",
            value=queue.started,
        )
        yield CounterMetricFamily(
            "kindred_send_queue_wait_seconds",
            "Time sends spent waiting for a slot",
            value=queue.waited_seconds,
        )


def latencies(bot: Any) -> list[tuple[int, float]]:
    """(shard, heartbeat latency) for the shards of this process."""
    if hasattr(bot, "latencies") and getattr(bot, "shards", None):
        return list(bot.latencies)
    return [(bot.shard_id or 0, bot.latency)]


__all__ = [
    "ANSWERED",
    "FAILED",
    "NO_METRICS",
    "REFUSED",
    "Metrics",
    "NullMetrics",
    "custom_id_label",
    "route_group",
]
