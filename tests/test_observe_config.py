"""[observe] and [logging] format in the config, and the label rules that keep ids out."""

from __future__ import annotations

import io
import json
import logging
import tomllib
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.observe.context import SERVING, Served
from bot.observe.logs import REDACTED, JsonFormatter
from bot.observe.metrics import Metrics, NullMetrics, custom_id_label, route_group

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_observe_is_off_and_logs_are_text_by_default(tmp_path):
    config = load_config(write(tmp_path, ""))
    assert config.observe.listen is None
    assert config.logging.format == "text"


@pytest.mark.parametrize(
    ("listen", "address"),
    [
        ("127.0.0.1:9108", ("127.0.0.1", 9108)),
        ("[::1]:0", ("::1", 0)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),
    ],
)
def test_listen_takes_host_and_port(tmp_path, listen, address):
    config = load_config(
        write(tmp_path, f'[observe]\nlisten = "{listen}"\n[logging]\nformat = "JSON"\n')
    )
    assert config.observe.listen == address
    assert config.logging.format == "json"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[observe]\nlisten = "9108"\n', "config.toml: [observe] listen: expected an address"),
        ('[observe]\nlisten = "localhost:http"\n', "config.toml: [observe] listen: expected"),
        ('[observe]\nlisten = "127.0.0.1:70000"\n', "config.toml: [observe] listen: expected"),
        (
            "[observe]\nlisten = 9108\n",
            "config.toml: [observe] listen: expected a string, got 9108",
        ),
        ("[observe]\nport = 9108\n", "config.toml: [observe] port: unknown key"),
        ('[logging]\nformat = "xml"\n', 'config.toml: [logging] format: expected "text" or "json"'),
    ],
)
def test_mistakes_name_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert str(caught.value).startswith(message), str(caught.value)


def test_the_example_documents_observe_and_the_log_format():
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    assert '# listen = "127.0.0.1:9108"' in text
    uncommented = text.replace('# listen = "', 'listen = "')
    parsed = tomllib.loads(uncommented)
    assert parsed["observe"]["listen"] == "127.0.0.1:9108"
    assert parsed["logging"]["format"] == "text"


@pytest.mark.parametrize(
    ("path", "group"),
    [
        ("/api/v10/channels/1234567890123/messages", "/channels/{id}/messages"),
        ("/api/v10/channels/12/messages/34/threads", "/channels/{id}/messages/{id}/threads"),
        (
            "/api/v10/interactions/1234/aW50ZXJhY3Rpb246MTIzNDU2Nzg5OnNlY3JldA/callback",
            "/interactions/{id}/{token}/callback",
        ),
        (
            "/api/v10/webhooks/99/tok-EN.x/messages/@original",
            "/webhooks/{id}/{token}/messages/@original",
        ),
        (
            "/api/v10/channels/1/messages/2/reactions/%F0%9F%8C%B1/@me",
            "/channels/{id}/messages/{id}/reactions/{}/@me",
        ),
        ("/api/v10/users/@me", "/users/@me"),
        ("/api/v10/applications/5/commands", "/applications/{id}/commands"),
    ],
)
def test_route_groups_hold_no_id_and_no_token(path, group):
    assert route_group(path) == group


@pytest.mark.parametrize(
    ("custom_id", "label"),
    [
        ("kindred:cheer:123", "kindred:cheer"),
        ("kindred:story:post:77", "kindred:story:post"),
        ("kindred:victories:page:900000000000001:n5:2", "kindred:victories:page"),
        ("kindred:mydata:erase:42:1700000000", "kindred:mydata:erase"),
        ("kindred:care:resources", "kindred:care:resources"),
        ("kindred:Hello there 漢字:1", "kindred"),
        ("0f3c9a1b2c3d4e5f60718293a4b5c6d7", "view"),
    ],
)
def test_custom_id_labels_stop_before_the_first_id(custom_id, label):
    assert custom_id_label(custom_id) == label


def test_label_values_are_capped():
    metrics = Metrics()
    for n in range(300):
        metrics.scheduled_post("prompt", f"outcome-{n}")
    outcomes = {
        sample.labels["outcome"]
        for family in metrics.registry.collect()
        if family.name == "kindred_scheduled_posts"
        for sample in family.samples
    }
    assert "other" in outcomes and len(outcomes) <= 200 + 1


def test_without_observe_the_metrics_calls_do_nothing():
    null = NullMetrics()
    assert null.scheduled_post("digest", "posted") is None
    assert null.crisis_grade("strong") is None and not null.enabled


def test_json_lines_carry_the_interaction_and_never_the_token():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(secret="MTIz.secret-token"))
    logger = logging.getLogger("kindred.test-json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        token = SERVING.set(Served(1234, "command", "celebrate", 5678, 0, 0.0))
        try:
            logger.warning("oops with MTIz.secret-token inside")
        finally:
            SERVING.reset(token)
        logger.error("outside", exc_info=ValueError("boom"))
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["message"] == f"oops with {REDACTED} inside"
    assert (inside["interaction_id"], inside["command"], inside["guild_id"], inside["shard"]) == (
        "1234", "celebrate", "5678", 0,
    )  # fmt: skip
    assert {"timestamp", "level", "logger"} <= set(inside) and inside["level"] == "WARNING"
    assert outside["interaction_id"] is None and "ValueError: boom" in outside["exception"]
    assert "secret-token" not in stream.getvalue()


def test_the_container_checks_health_through_healthz_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "USER kindred" in dockerfile and 'VOLUME ["/data"]' in dockerfile
    [check] = [line for line in dockerfile.splitlines() if "urlopen(" in line]
    config = load_config(ROOT / "deploy" / "config.docker.toml")
    host, port = config.observe.listen
    assert f"http://127.0.0.1:{port}/healthz" in check and "HEALTHCHECK" in dockerfile
    assert config.database.path == Path("/data/kindred.db")
    assert config.logging.format == "json"
    copied = "COPY deploy/config.docker.toml /etc/kindred/config.toml"
    assert copied in dockerfile and '"--config", "/etc/kindred/config.toml"' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "*.db", "config.toml", ".git"} <= set(ignored)


def test_each_shard_of_a_sharded_process_is_watched_on_its_own():
    from types import SimpleNamespace

    from bot.observe.health import GatewayState

    bot = SimpleNamespace(shards={}, latencies=[], shard_ids=[2, 3], shard_count=4, shard_id=None)
    state = GatewayState()
    state.saw(bot, "shard_connect", (2,))
    state.saw(bot, "connect", ())  # the plain event names no shard: not used when sharded
    assert state.states(bot) == {2: True, 3: False}
    state.saw(bot, "shard_ready", (3,))
    state.saw(bot, "shard_disconnect", (2,))
    assert state.states(bot) == {2: False, 3: True}
    state.saw(bot, "shard_resumed", (2,))
    assert state.states(bot) == {2: True, 3: True}


def test_crisis_grades_are_counted_by_grade_only():
    from bot.safety import Grade

    metrics = Metrics()
    metrics.crisis_grade(Grade.STRONG)
    metrics.crisis_grade(Grade.NONE)
    metrics.crisis_grade("possible")
    value = metrics.registry.get_sample_value
    assert [value("kindred_crisis_checks_total", {"grade": g}) for g in GRADE_NAMES] == [1, 1, 1]


GRADE_NAMES = ("none", "possible", "strong")
