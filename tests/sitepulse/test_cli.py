"""The command line's shape: `sitepulse --help` starts light, every command runs a handler,
and a bad option or a group without its action is refused as argparse refuses."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from sitepulse.cli import build_parser, main


def test_help_starts_without_what_the_commands_run() -> None:
    # Each handler imports its dependencies when run; building the parser needs none.
    probe = "import sys, sitepulse.cli as c; c.build_parser(); print(' '.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=30
    )
    loaded = {name.partition(".")[0] for name in done.stdout.split()}
    heavy = {"pydantic", "psycopg", "fastapi", "uvicorn", "yaml", "simulators", "sites", "rules"}
    assert not loaded & heavy


def _leaves(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _leaves(sub)
    return found or [parser]


def test_every_command_runs_a_handler() -> None:
    leaves = _leaves(build_parser())
    assert len(leaves) > 25
    for parser in leaves:
        assert callable(parser.get_default("handler")), parser.prog


def test_faults_default_to_dropouts_only_and_a_bad_rate_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    faults = build_parser().parse_args(["simulate"]).faults
    assert (faults.dropout, faults.duplicate) == (0.03, 0.0)
    with pytest.raises(SystemExit) as refused:
        build_parser().parse_args(["simulate", "--faults", "bogus=1"])
    assert refused.value.code == 2
    assert "argument --faults: invalid parse value: 'bogus=1'" in capsys.readouterr().err


def test_a_group_without_its_action_prints_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db"]) == 2
    assert capsys.readouterr().out.startswith("usage: sitepulse [-h] COMMAND ...")
