"""Operating Kindred with eyes open: /healthz, Prometheus /metrics and JSON log lines.

Off unless `[observe] listen` is set: then `bot.metrics` is a `Metrics` (its own registry,
served with /healthz by `server.ObserveServer`); otherwise it is `NO_METRICS`, whose calls
do nothing, so features call `bot.metrics.scheduled_post("digest", "posted")` either way.
No label ever holds member text or an id of a member, author, story or message.
"""
