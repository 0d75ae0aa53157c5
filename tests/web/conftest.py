"""What the web tests share: a real Chromium (through Playwright) for the browser tests."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def _chromium():
    """One Chromium per test module (a launch costs about a second of CPU); each test has its own contexts."""
    if not CHROMIUM:
        if os.environ.get("GEN_REQUIRE_LIBREOFFICE"):
            pytest.fail("Chromium is required here (CI) but not installed")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def browser(_chromium):
    """Chromium, required on CI (GEN_REQUIRE_LIBREOFFICE marks CI), skipped elsewhere without it. The pages and
    contexts a test opens are closed after it: no cookie or page is carried to the next test."""
    yield _chromium
    for context in _chromium.contexts:
        context.close()
