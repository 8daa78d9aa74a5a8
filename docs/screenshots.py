"""Take the screenshots shown in the README and docs/ with headless Chromium.

    python docs/screenshots.py            # writes docs/query-page.png, docs/entity-page.png

The app runs on a free local port, but the browser is shown it at the
default address (http://localhost:8000): every request is passed on to the
app with that Host, so no temporary port appears in the pictures. Needs
Python playwright and a Chromium (ASU_CHROMIUM, default /usr/bin/chromium).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

DOCS = Path(__file__).resolve().parent
SHOWN = "http://localhost:8000"
CHROMIUM = os.environ.get("ASU_CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "asu_graph",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--out-dir",
            str(folder / "out"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if requests.get(url + "/sparql?query=ASK%7B%7D", timeout=2).ok:
                return process, url
        except requests.ConnectionError:
            pass
        if process.poll() is not None:
            raise SystemExit("asu-graph serve stopped before it was ready")
        time.sleep(0.2)
    raise SystemExit("asu-graph serve did not answer")


def shoot(url: str) -> None:
    from playwright.sync_api import sync_playwright

    def forward(route) -> None:
        # The page asked the default address: the app answers it as if it were there.
        real = url + route.request.url[len(SHOWN) :]
        headers = {**route.request.headers, "host": SHOWN.split("//", 1)[1]}
        route.fulfill(response=route.fetch(url=real, headers=headers))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
            context.route(SHOWN + "/**", forward)
            page = context.new_page()
            page.goto(SHOWN + "/query?name=timeline")
            page.wait_for_selector(".yasqe .CodeMirror")
            page.click(".yasqe_queryButton")
            page.wait_for_selector("#timeline svg g.event")
            page.wait_for_selector(".yasr a.iri + .iri-label")
            page.screenshot(path=str(DOCS / "query-page.png"), full_page=True)
            page.goto(SHOWN + "/page/mnhn")
            page.wait_for_selector("h1")
            page.screenshot(path=str(DOCS / "entity-page.png"), full_page=True)
        finally:
            browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        process, url = serve(Path(folder))
        try:
            shoot(url)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    print("wrote", DOCS / "query-page.png", "and", DOCS / "entity-page.png")


if __name__ == "__main__":
    main()
