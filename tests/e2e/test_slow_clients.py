"""The embedded `serve` (waitress, what the Docker image runs by default) taken head on by slow
clients: 300 connections that each send a request header one byte a second."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bench.slow_clients import probe_healthz, slow_clients
from tests.e2e.test_embedded_serve import Launcher

pytestmark = pytest.mark.timeout(180)

SLOW_CLIENTS = 300


def test_healthz_answers_at_once_while_300_clients_send_headers_slowly(
        tmp_path: Path, figures: Callable[[str], None]) -> None:
    launcher = Launcher(tmp_path)
    try:
        server = launcher.start()
        with slow_clients("127.0.0.1", launcher.port, SLOW_CLIENTS) as attack:
            probes = probe_healthz(server.url)
            held = attack.connected
    finally:
        launcher.kill_all()
    figures(f"embedded: /healthz with {held} slow clients: {probes}")
    assert held == SLOW_CLIENTS, f"only {held} slow connections opened ({attack.refused} refused)"
    assert probes.statuses == [200] * len(probes.statuses), (str(probes), server.logs())
    assert probes.median < 1.0, (str(probes), server.logs())
