"""The files an operator deploys with: the systemd unit and the Dockerfile."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path, PurePosixPath

from bot.config import load_config

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "kindred.service"


def unit() -> configparser.ConfigParser:
    """systemd's ini dialect: case-sensitive keys, no interpolation, '#' comments."""
    parser = configparser.ConfigParser(interpolation=None, strict=True, empty_lines_in_values=False)
    parser.optionxform = str  # type: ignore[assignment]  # keep User, not user
    parser.read_string(UNIT.read_text(encoding="utf-8"), source=str(UNIT))
    return parser


def test_the_unit_runs_kindred_run_from_a_venv_as_its_own_user():
    service = unit()["Service"]
    command = shlex.split(service["ExecStart"])
    assert command[1:] == ["run"]
    executable = PurePosixPath(command[0])
    assert executable.is_absolute() and executable.name == "kindred"
    assert executable.parent.name == "bin" and executable.parent.parent.name == ".venv"
    assert service["User"] not in ("", "root", "0") and service["Group"] not in ("root", "0")
    assert service["Type"] in ("exec", "simple")


def test_the_unit_restarts_on_failure_but_not_on_an_operator_mistake():
    service = unit()["Service"]
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"].split() == ["2"]  # cli.EXIT_USAGE
    assert service["KillSignal"] == "SIGTERM"  # Kindred stops cleanly on it


def test_the_token_comes_from_an_environment_file_never_the_unit():
    parsed = unit()
    service = parsed["Service"]
    assert PurePosixPath(service["EnvironmentFile"].lstrip("-")).is_absolute()
    assert "Environment" not in service
    values = [value for section in parsed.values() for value in section.values()]
    assert not any("DISCORD_TOKEN" in value for value in values)  # comments aside


def test_the_working_directory_holds_the_data_and_is_the_only_place_written():
    service = unit()["Service"]
    working = PurePosixPath(service["WorkingDirectory"])
    assert working.is_absolute()
    assert service["ProtectSystem"] == "strict"
    writable = [PurePosixPath(p.lstrip("-")) for p in service["ReadWritePaths"].split()]
    assert writable == [working]
    state = service.get("StateDirectory")
    assert state is None or PurePosixPath("/var/lib") / state == working


def test_the_unit_is_hardened():
    service = unit()["Service"]
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "RestrictSUIDSGID": "yes",
        "CapabilityBoundingSet": "",
        "UMask": "0077",
    }.items():
        assert service[key] == value, key
    families = set(service["RestrictAddressFamilies"].split())
    assert {"AF_INET", "AF_INET6"} <= families <= {"AF_INET", "AF_INET6", "AF_UNIX"}
    parsed = unit()
    assert parsed["Install"]["WantedBy"] == "multi-user.target"
    assert "network-online.target" in parsed["Unit"]["After"].split()


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    joined, instructions = "", []
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if not joined and (not line.strip() or line.lstrip().startswith("#")):
            continue
        joined += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            word, _, rest = joined.strip().partition(" ")
            instructions.append((word.upper(), rest.strip()))
            joined = ""
    return instructions


def test_the_container_runs_as_a_user_who_is_not_root():
    steps = dockerfile()
    users = [args for word, args in steps if word == "USER"]
    assert users, "no USER line: the container would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    runs = " ".join(args for word, args in steps if word == "RUN")
    assert re.search(rf"useradd --system (.* )?{user}( |$)", runs)
    assert "--uid 0 " not in runs
    # The last USER comes after every RUN: nothing later runs as root.
    last_user = max(i for i, (word, _) in enumerate(steps) if word == "USER")
    assert all(i < last_user for i, (word, _) in enumerate(steps) if word == "RUN")


def test_the_database_lives_on_a_volume_the_user_owns():
    steps = dockerfile()
    assert [args for word, args in steps if word == "VOLUME"] == ['["/data"]']
    config = load_config(ROOT / "deploy" / "config.docker.toml")
    assert PurePosixPath(config.database.path).parent == PurePosixPath("/data")
    user = [args for word, args in steps if word == "USER"][-1]
    [chown] = [i for i, (word, args) in enumerate(steps) if f"chown {user}:" in args]
    volume = [word for word, _ in steps].index("VOLUME")
    assert chown < volume  # a new volume starts with the image's /data: owned by the user
    assert [args for word, args in steps if word == "WORKDIR"][-1] == "/data"
    assert [args for word, args in steps if word == "CMD"] == ['["run"]']
    [entry] = [args for word, args in steps if word == "ENTRYPOINT"]
    assert entry.startswith('["kindred"')
