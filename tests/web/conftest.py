"""Browser tests: `interview-calendar serve` (embedded) started for real, driven by Playwright.

The browser is Debian's chromium (`bin/services`, which `bin/test` runs, installs it);
Playwright never downloads one. Each test gets a fresh browser context (its own sessionStorage)
in the Europe/Berlin time zone, so the page's hours differ from the API's UTC and the tests find
hours by their UTC instant.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from tests import processes
from tests.processes import free_port
from tests.web.calendar import Server

CLI = Path(sys.executable).with_name("interview-calendar")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
START_TIMEOUT = 60
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}
TIME_ZONE = "Europe/Berlin"

# A job or a week answers in well under a second here; a loaded CI machine gets some slack.
expect.set_options(timeout=10_000)



@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One embedded server per module, with a known admin key; stopped with its process group."""
    root = tmp_path_factory.mktemp("web")
    admin_key = "ic_" + secrets.token_urlsafe(32)
    env = {"PATH": os.defpath, "HOME": str(root), "LANG": "C.UTF-8",
           "INSTANCE_PATH": str(root / "instance"), "ADMIN_API_KEY": admin_key,
           "SWEEP_INTERVAL_SECONDS": "0.5",
           "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true"}  # the calendar feeds of tests/feeds.py
    port = free_port()
    log = root / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(CLI), "serve", "--port", str(port)], cwd=root, env=env,
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        processes.wait_until_ready(proc, url, lambda: log.read_text(errors="replace"),
                                   START_TIMEOUT)
        yield Server(url, admin_key)
    finally:
        processes.stop_group(proc, grace=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Closed with the module, so that no browser outlives the tests that use it."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    """A fresh tab that fails the test on a script error or a request to another origin."""
    context = browser.new_context(viewport=VIEWPORT, timezone_id=TIME_ZONE, locale="en-GB",
                                  accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    tab.on("request", lambda request: None if request.url.startswith(
        (server.url, "blob:", "data:")) else errors.append(f"request to {request.url}"))
    try:
        yield tab
    finally:
        context.close()
    assert errors == []
