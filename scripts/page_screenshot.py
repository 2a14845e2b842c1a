"""Screenshot of the handler's page for the README: ``docs/page.png`` at 1280x720.

Starts ``rightcall serve`` on a free loopback port over ``models/latest`` (train one first:
``./dev serve`` does) with a throw-away SQLite file, types a realistic note into the page in
Debian's chromium, and saves what a handler would see.

    .venv/bin/python scripts/page_screenshot.py [--models models] [--out docs/page.png]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
NOTE = (
    "RP states brother is on the bridge rail over the river, says he will jump. "
    "Has been drinking, history of depression, under the crisis team. No weapons seen."
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DRAWN = """() => {
  const view = document.getElementById('note-view');
  return !view.classList.contains('empty')
    && view.textContent === document.getElementById('note').value;
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(base: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"rightcall serve exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    sys.exit("rightcall serve did not become ready")


def shoot(base: str, out: Path, width: int, height: int) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(base + "/")
        note = page.locator("#note")
        # As a handler would: the first words, a pause, then the rest.
        note.press_sequentially(NOTE[:25], delay=15)
        page.wait_for_function(DRAWN)
        note.press_sequentially(NOTE[25:], delay=5)
        page.wait_for_function(DRAWN)
        page.screenshot(path=str(out), animations="disabled")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "page.png")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    args = parser.parse_args()
    if not (args.models / "latest" / "manifest.json").exists():
        sys.exit(f"no model in {args.models}/latest: run ./dev serve or rightcall train first")
    rightcall = Path(sys.executable).with_name("rightcall")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTCALL_")}
        env["RIGHTCALL_DATABASE_URL"] = f"sqlite:///{tmp}/feedback.db"
        with open(Path(tmp) / "server.log", "wb") as log:
            process = subprocess.Popen(
                [str(rightcall), "serve", "--port", str(port), "--models", str(args.models)],
                cwd=tmp,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_ready(base, process)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            shoot(base, args.out, args.width, args.height)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
