"""A guessable ADMIN_API_KEY stops `serve` before it answers anything."""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_embedded_serve import CLI
from tests.processes import free_port
from workers.settings import MIN_ADMIN_KEY, Settings, SettingsError


def serve(tmp_path: Path, admin_key: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.defpath, "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "INSTANCE_PATH": str(tmp_path / "instance"), "ADMIN_API_KEY": admin_key}
    return subprocess.run([str(CLI), "serve", "--port", str(free_port())], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)


def test_serve_refuses_an_admin_key_shorter_than_32_characters(tmp_path: Path) -> None:
    done = serve(tmp_path, "x" * (MIN_ADMIN_KEY - 1))
    assert done.returncode != 0
    assert "ADMIN_API_KEY is shorter than 32 characters" in done.stderr, done.stderr
    assert not (tmp_path / "instance").exists(), "nothing was set up"


@pytest.mark.parametrize("key", ["", secrets.token_hex(16)], ids=["unset", "32 characters"])
def test_an_unset_or_long_enough_admin_key_is_accepted(key: str) -> None:
    assert Settings.from_env({"ADMIN_API_KEY": key}).admin_api_key == (key or None)


def test_spaces_do_not_count_towards_the_length() -> None:
    with pytest.raises(SettingsError, match="ADMIN_API_KEY"):
        Settings.from_env({"ADMIN_API_KEY": "short" + " " * 40})
