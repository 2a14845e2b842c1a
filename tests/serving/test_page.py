"""The handler's page in a real browser (issue 6).

Playwright drives Debian's chromium (headless, nothing downloaded) against `rightcall serve`
running as a real uvicorn process on loopback over the session's trained model, with real
SQLite files: one server in local mode, one with API keys, one whose database cannot be
opened. Waits are on conditions (the note drawn, a message shown), never fixed sleeps.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from .conftest import API_KEYS, KEYS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
expect = sync_api.expect
PlaywrightError = sync_api.Error

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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
START_TIMEOUT = 180  # seconds; importing spaCy and loading the model on a busy CI machine
WAIT_MS = 15_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="chromium is not installed (./dev test installs it with apt-get)",
    ),
]
expect.set_options(timeout=WAIT_MS)

NOTE = "male on the bridge rail says he will jump"
BENIGN = "caller reports neighbour's music is loud"
XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'

# The page has drawn the answer for exactly the text now in the note box.
DRAWN = """() => {
  const view = document.getElementById('note-view');
  return !view.classList.contains('empty')
    && view.textContent === document.getElementById('note').value;
}"""


# ---- servers ---------------------------------------------------------------------------------


@dataclass
class Server:
    base: str
    database: Path
    log: Path
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch(folder: Path, models: Path, database: Path, **env_extra: str) -> Server:
    """`rightcall serve` on a free loopback port, its log in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTCALL_")}
    env.update(RIGHTCALL_DATABASE_URL=f"sqlite:///{database}", **env_extra)
    log = folder / "server.log"
    rightcall = Path(sys.executable).with_name("rightcall")
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(rightcall), "serve", "--port", str(port), "--models", str(models)],
            cwd=folder,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return Server(f"http://127.0.0.1:{port}", database, log, process)


def wait_ready(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(base_url=server.base, timeout=5) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                pytest.fail(
                    f"server exited with {server.process.returncode}:\n"
                    f"{server.log.read_text('utf-8')[-2000:]}"
                )
            with contextlib.suppress(httpx.TransportError):
                if client.get("/readyz").status_code == 200:
                    return
            time.sleep(0.1)
    pytest.fail("timed out waiting for /readyz")


@dataclass
class Servers:
    local: Server
    keyed: Server
    no_database: Server


@pytest.fixture(scope="module")
def servers(shared_models, tmp_path_factory) -> Iterator[Servers]:
    """Three real servers, started together: local mode, API keys, and a database path
    that is a directory (so SQLite cannot open it and feedback fails while classify works)."""
    tmp = tmp_path_factory.mktemp("page")
    broken = tmp / "database-is-a-directory"
    broken.mkdir()
    started = Servers(
        local=launch(tmp / "local", shared_models, tmp / "local.db"),
        keyed=launch(tmp / "keyed", shared_models, tmp / "keyed.db", RIGHTCALL_API_KEYS=API_KEYS),
        no_database=launch(tmp / "no-db", shared_models, broken),
    )
    everything = (started.local, started.keyed, started.no_database)
    try:
        for server in everything:
            wait_ready(server)
        yield started
    finally:
        for server in everything:
            server.stop()


# ---- browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Watch:
    """What the page did: uncaught errors, CSP reports, every URL, classify answers."""

    errors: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)


@pytest.fixture()
def open_page(browser) -> Iterator[Callable]:
    """Open the page of a server in a fresh context (fresh sessionStorage)."""
    contexts = []
    watches: list[tuple[Watch, str]] = []

    def opener(
        server: Server, width: int = 1280, height: int = 720, path: str = "/", **context_options
    ):
        context = browser.new_context(
            viewport={"width": width, "height": height}, **context_options
        )
        contexts.append(context)
        page = context.new_page()
        watch = Watch()
        watches.append((watch, server.base))
        page.on("pageerror", lambda error: watch.errors.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                watch.errors.append(f"console: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.on("request", lambda request: watch.urls.append(request.url))

        def on_response(response) -> None:
            if response.url.endswith("/v1/classify") and response.status == 200:
                with contextlib.suppress(PlaywrightError):
                    watch.answers.append(response.json())

        page.on("response", on_response)
        page.watch = watch
        page.goto(server.base + path)
        return page

    yield opener
    for context in contexts:
        context.close()
    for watch, base in watches:
        assert not watch.errors, watch.errors
        outside = [url for url in watch.urls if not url.startswith(base + "/")]
        assert not outside, f"the page fetched from outside its server: {outside}"


def wait_drawn(page) -> None:
    page.wait_for_function(DRAWN, timeout=WAIT_MS)


def drawn_answer(page) -> dict:
    """The /v1/classify answer the page has drawn (its request id is on the note view)."""
    wait_drawn(page)
    request_id = page.locator("#note-view").get_attribute("data-request-id")
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        for answer in page.watch.answers:
            if answer["request_id"] == request_id:
                return answer
        page.wait_for_timeout(20)  # lets Playwright deliver the response event
    pytest.fail(f"no classify answer seen for the drawn request {request_id}")


def type_slowly(page, text: str) -> None:
    """Type character by character into the note box, as a handler would."""
    page.locator("#note").press_sequentially(text, delay=10)


def runs_of(page, label: str) -> list[str]:
    """Texts of adjacent highlights that count for ``label`` (present, not ruled out)."""
    return page.locator("#note-view").evaluate(
        """(view, label) => {
          const runs = [];
          let current = null;
          for (const child of view.childNodes) {
            const counts = child.nodeType === 1 && !child.classList.contains('ruled-out')
              && child.dataset.labels.split(' ').includes(label);
            if (counts) { current = (current ?? '') + child.textContent; }
            else if (current !== null) { runs.push(current); current = null; }
          }
          if (current !== null) runs.push(current);
          return runs;
        }""",
        label,
    )


# ---- tests -----------------------------------------------------------------------------------


def test_signals_highlights_and_route_follow_the_typing(open_page, servers, classifier):
    page = open_page(servers.local)
    # Before any note: the model's version in the corner and its thresholds on the bars.
    expect(page.locator("#model-version")).to_have_text(f"model {classifier.version}")
    expect(page.locator("#threshold-threat_to_life")).to_have_text(re.compile(r"threshold \d+%"))
    expect(page.locator("#note")).to_be_focused()

    type_slowly(page, NOTE[:7])  # "male on"
    drawn_answer(page)
    ttl = page.locator('.signal[data-label="threat_to_life"]')
    first_value = float(page.locator("#meter-threat_to_life").get_attribute("aria-valuenow"))
    expect(page.locator("#route-name")).not_to_have_text("–")
    requests_before = len(page.watch.answers)

    type_slowly(page, NOTE[7:])
    answer = drawn_answer(page)
    # Debounced: far fewer classifications than keystrokes.
    assert len(page.watch.answers) - requests_before < len(NOTE[7:]) / 2
    assert answer["labels"]["threat_to_life"]["flagged"]
    # Threat to life: a percentage, FLAGGED in words, the threshold marked, first on the page.
    expect(page.locator("#pct-threat_to_life")).to_have_text(re.compile(r"^[<>]?\d{1,3}%$"))
    expect(page.locator("#state-threat_to_life")).to_have_text("▲ FLAGGED")
    expect(ttl).to_have_attribute("data-state", "flagged")
    threshold = answer["labels"]["threat_to_life"]["threshold"]
    expect(page.locator("#threshold-threat_to_life")).to_have_text(
        f"threshold {round(threshold * 100)}%" if threshold >= 0.005 else "threshold <1%"
    )
    mark_left = page.locator("#meter-threat_to_life .mark").bounding_box()["x"]
    meter = page.locator("#meter-threat_to_life").bounding_box()
    assert abs(mark_left + 1 - (meter["x"] + threshold * meter["width"])) < 3
    final_value = float(page.locator("#meter-threat_to_life").get_attribute("aria-valuenow"))
    assert final_value > first_value
    assert page.locator(".signal").first.get_attribute("data-label") == "threat_to_life"
    ttl_size = ttl.bounding_box()
    assert all(
        ttl_size["height"] > other.bounding_box()["height"]
        for other in page.locator(".signal:not(.signal-main)").all()
    )
    for label in ("crime", "mental_health"):
        flagged = answer["labels"][label]["flagged"]
        expect(page.locator(f"#state-{label}")).to_have_text(
            "▲ FLAGGED" if flagged else "not flagged"
        )

    # The note, drawn in place, with the strongest threat-to-life phrase highlighted.
    assert page.locator("#note-view").text_content() == NOTE
    strongest = max(
        (
            e
            for e in answer["evidence"]
            if e["label"] == "threat_to_life" and e["context"] == "present"
        ),
        key=lambda e: e["weight"],
    )
    assert any(strongest["text"] in run for run in runs_of(page, "threat_to_life"))
    assert all(run in NOTE for run in runs_of(page, "threat_to_life"))

    # Route with plain-words reasons and the reminder that the handler decides.
    expect(page.locator("#route-name")).to_have_attribute(
        "data-route", answer["route"]["suggestion"]
    )
    assert answer["route"]["suggestion"].startswith("police")
    expect(page.locator("#route-reasons li").first).to_contain_text("Threat to life")
    expect(page.locator(".route-panel")).to_contain_text("Advice only: the handler decides.")
    expect(page.locator("#latency")).to_have_text(re.compile(r"^\d+ ms$"))

    # A negated cue: struck through, with a tooltip quoting its clause.
    type_slowly(page, ". no weapons seen")
    wait_drawn(page)
    negated = page.locator('#note-view mark.ruled-out[data-context="negated"]')
    expect(negated.first).to_have_attribute("title", re.compile(r"negated: 'no weapons seen'"))
    assert "weapons" in negated.first.text_content()
    decoration = negated.first.evaluate("node => getComputedStyle(node).textDecorationLine")
    assert "line-through" in decoration
    expect(page.locator("#cues")).to_contain_text("negated: 'no weapons seen'")


MARKS = """view => { let at = 0; const out = []; for (const m of view.childNodes) {
  const from = at; at += m.textContent.length; if (m.nodeType !== 1) continue; out.push({
  from, text: m.textContent, drove: m.dataset.drove ? m.dataset.drove.split(' ') : [],
  flagged: m.dataset.flagged ? m.dataset.flagged.split(' ') : [],
  muted: m.classList.contains('muted'), multi: m.classList.contains('multi'),
  title: m.title, bands: getComputedStyle(m).boxShadow,
  underline: getComputedStyle(m).borderBottomColor, background: getComputedStyle(m).backgroundColor,
}); } return out; }"""

# Notes whose answers mix flagged and unflagged signals, with words that drove several.
MIXED_NOTES = [
    "caller says her son is hearing voices and smashed the window",
    "neighbour is confused and wandering in the garden, no injuries",
    "shoplifter left the store with two bottles of vodka, security have his details",
]


def test_evidence_of_unflagged_signals_is_muted_and_shared_words_name_every_signal(
    open_page, servers
):
    page = open_page(servers.local)
    seen_muted = seen_multi = False
    muted_note = None
    for note in MIXED_NOTES:
        page.locator("#note").fill(note)
        answer = drawn_answer(page)
        flagged = {label for label, score in answer["labels"].items() if score["flagged"]}
        present = [e for e in answer["evidence"] if e["context"] == "present"]
        for mark in page.locator("#note-view").evaluate(MARKS):
            start = mark["from"]
            covering = {
                e["label"] for e in present if e["start"] <= start and e["end"] >= start + 1
            }
            if not covering:
                continue  # a ruled-out cue; its own test covers it
            assert set(mark["drove"]) == covering, mark
            assert set(mark["flagged"]) == covering & flagged, mark
            # Evidence for a signal that is not flagged never looks like an alert.
            assert mark["muted"] == (not covering & flagged), mark
            if mark["muted"]:
                seen_muted = True
                muted_note = muted_note or note
                assert mark["background"] in ("rgba(0, 0, 0, 0)", "transparent"), mark
                assert "(signal not flagged)" in mark["title"]
            # A piece that drove several signals names each and draws one band per signal.
            if len(covering) > 1:
                seen_multi = True
                assert mark["multi"], mark
                assert mark["bands"].count("inset") == len(covering), mark
                for label in covering:
                    title = {"threat_to_life": "Threat to life", "crime": "Crime"}.get(
                        label, "Mental health"
                    )
                    assert title in mark["title"], mark
    assert seen_muted and seen_multi, "the notes no longer exercise muted and shared evidence"

    # The toggle hides muted evidence (it stays in the note, with no underline), and is kept.
    toggle = page.locator("#show-unflagged")
    expect(toggle).to_be_checked()
    page.locator("#note").fill(muted_note)
    wait_drawn(page)
    toggle.uncheck()
    expect(page.locator("body")).to_have_class(re.compile(r"\bhide-unflagged\b"))
    hidden = [m for m in page.locator("#note-view").evaluate(MARKS) if m["muted"]]
    assert hidden, "no muted evidence to hide"
    assert all(m["underline"] == "rgba(0, 0, 0, 0)" and m["bands"] == "none" for m in hidden)
    assert page.locator("#note-view").text_content() == muted_note
    page.reload()
    expect(page.locator("#show-unflagged")).not_to_be_checked()
    expect(page.locator("body")).to_have_class(re.compile(r"\bhide-unflagged\b"))


def test_an_older_answer_never_replaces_a_newer_one(open_page, servers):
    page = open_page(servers.local)
    held = []

    def hold_the_first(route) -> None:
        if not held:
            held.append(route)  # answered only after the newer note has been drawn
        else:
            route.continue_()

    page.route("**/v1/classify", hold_the_first)
    with page.expect_request("**/v1/classify"):
        page.locator("#note").fill(BENIGN)
    newer = f"{BENIGN}. {NOTE}"
    page.locator("#note").fill(newer)
    wait_drawn(page)
    assert len(held) == 1
    with contextlib.suppress(PlaywrightError):  # the page may already have cancelled it
        held[0].continue_()
    # Give the old answer every chance to arrive, then check it changed nothing.
    page.evaluate("() => fetch('/readyz')")
    expect(page.locator("#note-view")).to_have_text(newer)
    expect(page.locator("#state-threat_to_life")).to_have_text("▲ FLAGGED")


def test_note_markup_is_shown_as_text_and_never_runs(open_page, servers):
    page = open_page(servers.local)
    # Emoji first: Python counts code points, JavaScript UTF-16 units; highlights must still
    # land on the right words.
    note = f"🙂🙂 {XSS} {NOTE}"
    page.locator("#note").fill(note)
    answer = drawn_answer(page)
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    view = page.locator("#note-view")
    assert view.text_content() == note
    assert view.locator("img, script").count() == 0
    assert page.locator("img").count() == 0
    strongest = max(
        (
            e
            for e in answer["evidence"]
            if e["label"] == "threat_to_life" and e["context"] == "present"
        ),
        key=lambda e: e["weight"],
    )
    assert note[strongest["start"] : strongest["end"]] == strongest["text"]
    assert any(strongest["text"] in run for run in runs_of(page, "threat_to_life"))
    # Typed character by character too, through the keyboard.
    page.locator("#new-call").click()
    expect(page.locator("#note")).to_be_focused()
    type_slowly(page, XSS + " he says he will jump")
    wait_drawn(page)
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert view.locator("img, script").count() == 0
    assert XSS in view.text_content()


def test_what_changed_calls_out_a_label_crossing_its_threshold(open_page, servers):
    page = open_page(servers.local)
    page.locator("#note").fill(BENIGN)
    wait_drawn(page)
    expect(page.locator('.signal[data-label="threat_to_life"]')).to_have_attribute(
        "data-state", "clear"
    )
    expect(page.locator("#state-threat_to_life")).to_have_text("not flagged")
    assert not page.locator("#changes li", has_text="Threat to life").count()

    type_slowly(page, ". man on the bridge says he will jump off now")
    wait_drawn(page)
    called_out = page.locator("#changes li", has_text="Threat to life now FLAGGED")
    expect(called_out).to_have_count(1)
    expect(called_out).to_have_class(re.compile(r"\bfresh\b"))
    expect(page.locator("#changes")).to_have_attribute("aria-live", "assertive")

    # It stays listed while the note grows, no longer marked as the latest news...
    type_slowly(page, " x")
    wait_drawn(page)
    expect(called_out).to_have_count(1)
    if not page.locator("#changes li.fresh").count():
        expect(page.locator("#changes-latest")).to_have_text(
            "Last update: no signal crossed its threshold or moved far."
        )
    # ...and falling back below the threshold is called out too.
    page.locator("#note").fill(BENIGN)
    wait_drawn(page)
    expect(page.locator("#changes li").first).to_contain_text("Threat to life no longer flagged")


def shown_percent(probability: float) -> str:
    """The page's wording (app.js pct)."""
    if probability < 0.005:
        return "<1%"
    if probability > 0.995:
        return ">99%"
    return f"{round(probability * 100)}%"


def test_what_changed_reports_a_large_move_that_crosses_no_threshold(open_page, servers):
    page = open_page(servers.local)
    page.locator("#note").fill("caller says her husband hit her")
    before = drawn_answer(page)["labels"]
    page.locator("#note").fill("caller says her husband hit her and is now strangling her")
    after = drawn_answer(page)["labels"]
    fresh = page.locator("#changes li.fresh .change-text").all_text_contents()
    big_moves = 0
    for label, title in (
        ("threat_to_life", "Threat to life"),
        ("crime", "Crime"),
        ("mental_health", "Mental health"),
    ):
        was, now = before[label], after[label]
        moved = abs(now["probability"] - was["probability"]) >= 0.25
        if was["flagged"] != now["flagged"] or not moved:
            assert not [
                t for t in fresh if t.startswith(f"{title} rose") or t.startswith(f"{title} fell")
            ]
            continue
        big_moves += 1
        verb = "rose" if now["probability"] > was["probability"] else "fell"
        still = "still flagged" if now["flagged"] else "still below threshold"
        expected = (
            f"{title} {verb} {shown_percent(was['probability'])} → "
            f"{shown_percent(now['probability'])} ({still})"
        )
        assert expected in fresh, (expected, fresh)
    assert big_moves, f"the notes no longer move a flagged score far: {before} -> {after}"


def test_times_are_on_the_24_hour_clock_in_any_locale(open_page, servers):
    page = open_page(servers.local, locale="en-US")
    page.clock.set_fixed_time("2026-03-01T15:04:05")
    page.locator("#note").fill(NOTE)
    wait_drawn(page)
    expect(page.locator("#status")).to_have_text("Updated 15:04:05")
    expect(page.locator("#changes li time").first).to_have_text("15:04:05")


def read_feedback(database: Path) -> list[dict]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM feedback ORDER BY id").fetchall()
    return [dict(row) for row in rows]


def test_feedback_is_saved_to_the_database(open_page, servers):
    page = open_page(servers.local)
    note = f"{NOTE}. no weapons seen"
    page.locator("#note").fill(note)
    answer = drawn_answer(page)
    # The boxes start from the model's flags.
    for label, score in answer["labels"].items():
        assert page.locator(f"#fb-{label}").is_checked() == score["flagged"]
    judged = {label: score["flagged"] for label, score in answer["labels"].items()}
    judged["crime"] = not judged["crime"]
    page.locator("#fb-crime").set_checked(judged["crime"])
    page.locator("#fb-route").select_option("police-and-health")
    page.locator("#fb-comment").fill("handler's view: <b>not</b> a crime")
    page.locator("#fb-send").click()
    expect(page.locator("#fb-message")).to_have_text(re.compile(r"^Feedback saved \(#\d+\)"))

    rows = [row for row in read_feedback(servers.local.database) if row["text"] == note]
    assert len(rows) == 1
    row = rows[0]
    assert json.loads(row["labels"]) == judged
    assert row["request_id"] == answer["request_id"]
    assert row["route_taken"] == "police-and-health"
    assert row["comment"] == "handler's view: <b>not</b> a crime"
    assert row["model_version"] == answer["model"]["version"]


def test_feedback_failures_are_said_clearly(open_page, servers):
    server = servers.no_database
    page = open_page(server)
    page.locator("#note").fill(NOTE)
    wait_drawn(page)  # classification works without the database
    page.locator("#fb-send").click()
    message = page.locator("#fb-message")
    expect(message).to_have_text(re.compile(r"^Not saved: the feedback database is unavailable"))
    expect(message).to_have_attribute("role", "alert")
    expect(message).to_have_attribute("data-kind", "error")
    assert page.locator("#fb-threat_to_life").is_checked()  # the judgement is kept

    # The server goes away: a banner across the top, the signals and the feedback say so.
    banner = page.locator("#offline-banner")
    expect(banner).to_be_hidden()
    server.stop()
    type_slowly(page, " now")
    expect(page.locator("#status")).to_have_text(re.compile(r"^Cannot reach the rightcall server"))
    expect(page.locator("body")).to_have_class(re.compile(r"\bstale\b"))
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_contain_text("OFFLINE Cannot reach the rightcall server")
    box = banner.bounding_box()
    assert box["y"] < 10 and box["width"] >= 0.9 * 1280, box  # across the top of the page
    assert banner.evaluate("b => getComputedStyle(b).fontWeight") == "700"
    page.mouse.wheel(0, 2000)  # sticky: still in view after scrolling
    assert banner.bounding_box()["y"] < 10
    page.locator("#fb-send").click()
    expect(message).to_have_text(re.compile(r"^Not sent: the note could not be classified"))


def test_api_key_is_asked_for_and_kept_for_the_session(open_page, servers, classifier):
    page = open_page(servers.keyed)
    panel = page.locator("#key-panel")
    expect(panel).to_be_visible()  # /v1/model answered 401 on load
    expect(page.locator("#key-message")).to_contain_text("needs an API key")
    page.locator("#note").fill(NOTE)
    expect(page.locator("#status")).to_have_text("Waiting for an API key.")
    assert page.locator("#note-view").text_content() != NOTE

    page.locator("#api-key").fill("not-a-key-0123456789abcdef")
    page.locator("#api-key").press("Enter")
    expect(page.locator("#key-message")).to_contain_text("was not accepted")
    expect(panel).to_be_visible()
    assert page.evaluate("() => sessionStorage.length") == 0

    page.locator("#api-key").fill(KEYS["handler"])
    page.get_by_role("button", name="Use this key").click()
    wait_drawn(page)
    expect(panel).to_be_hidden()
    expect(page.locator("#state-threat_to_life")).to_have_text("▲ FLAGGED")
    expect(page.locator("#model-version")).to_have_text(f"model {classifier.version}")
    assert page.evaluate("() => Object.values(sessionStorage)") == [KEYS["handler"]]
    assert page.evaluate("() => localStorage.length") == 0
    assert KEYS["handler"] not in page.locator("body").inner_html()

    # Feedback goes with the key too.
    page.locator("#fb-send").click()
    expect(page.locator("#fb-message")).to_have_text(re.compile(r"^Feedback saved"))
    assert [row["text"] for row in read_feedback(servers.keyed.database)] == [NOTE]

    # Kept for the session: a reload does not ask again; "Forget" does.
    page.reload()
    expect(page.locator("#model-version")).to_have_text(f"model {classifier.version}")
    expect(panel).to_be_hidden()
    page.locator("#note").fill(NOTE)
    wait_drawn(page)
    page.locator("#forget-key").click()
    assert page.evaluate("() => sessionStorage.length") == 0
    type_slowly(page, " now")
    expect(panel).to_be_visible()


def test_narrow_window_and_keyboard_only(open_page, servers):
    page = open_page(servers.local, width=400, height=800)
    expect(page.locator("#note")).to_be_focused()  # the note box has focus on load
    page.keyboard.type(NOTE)
    wait_drawn(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 400
    for selector in (
        "#note",
        '.signal[data-label="threat_to_life"]',
        "#route-name",
        "#note-view",
        "#fb-send",
    ):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 400, selector
    # Signals come right after the note on a narrow window.
    note_box = page.locator("#note").bounding_box()
    ttl_box = page.locator('.signal[data-label="threat_to_life"]').bounding_box()
    assert 0 < ttl_box["y"] - (note_box["y"] + note_box["height"]) < 150

    # Keyboard only: Tab from the note reaches the evidence toggle, then the judgement, the
    # route, the comment, Send.
    page.keyboard.press("Tab")
    expect(page.locator("#show-unflagged")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#fb-threat_to_life")).to_be_focused()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")  # focus is visible
    page.keyboard.press("Tab")
    expect(page.locator("#fb-crime")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#fb-route")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#fb-comment")).to_be_focused()
    page.keyboard.type("typed with the keyboard")
    page.keyboard.press("Tab")
    expect(page.locator("#fb-send")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#fb-message")).to_have_text(re.compile(r"^Feedback saved"))
    row = [
        r
        for r in read_feedback(servers.local.database)
        if r["comment"] == "typed with the keyboard"
    ]
    assert len(row) == 1 and row[0]["text"] == NOTE


def test_wide_window_shows_the_essentials_without_scrolling(open_page, servers):
    page = open_page(servers.local, width=1280, height=720)
    page.locator("#note").fill(f"{NOTE}. no weapons seen")
    wait_drawn(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    for selector in (
        "#note",
        '.signal[data-label="threat_to_life"]',
        '.signal[data-label="crime"]',
        '.signal[data-label="mental_health"]',
        "#route-name",
        ".decides",
        "#note-view",
        "#model-version",
        "#latency",
    ):
        box = page.locator(selector).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 720, selector


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src"):
            self.inline.append("inline <script>")
        if tag == "style":
            self.inline.append("<style>")
        self.inline += [
            f"{tag} {name}=" for name, _ in attrs if name.startswith("on") or name == "style"
        ]
        self.assets += [v for k, v in attrs if k in ("src", "href") and v]


def test_page_headers_and_assets_are_local(servers):
    with httpx.Client(base_url=servers.local.base, timeout=10) as client:
        page = client.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        for directive in (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
        ):
            assert directive in policy
        assert "unsafe" not in policy
        assert page.headers["x-content-type-options"] == "nosniff"
        markup = _Markup()
        markup.feed(page.text)
        assert markup.inline == []
        assert markup.assets and all(a.startswith("/static/") for a in markup.assets)
        for asset in markup.assets:
            response = client.get(asset)
            assert response.status_code == 200, asset
            assert response.headers["x-content-type-options"] == "nosniff"
            body = response.text.replace('xmlns="http://www.w3.org/2000/svg"', "")
            assert "http://" not in body and "https://" not in body, asset
        classified = client.post("/v1/classify", json={"text": NOTE})
        assert classified.headers["cache-control"] == "no-store"
        # The API docs have a strict policy of their own (tested in a browser below).
        docs_policy = client.get("/docs").headers["content-security-policy"]
        assert "default-src 'none'" in docs_policy and "unsafe-eval" not in docs_policy
        assert "http" not in docs_policy


def test_api_docs_render_with_no_request_outside_the_server(open_page, servers):
    """Offline control rooms: Swagger UI comes from this server, under its own CSP.

    ``open_page`` fails the test on any request to another host or any CSP violation."""
    page = open_page(servers.local, path="/docs")
    expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    assert "/v1/classify" in page.content()
    urls = page.watch.urls
    assert any("/docs-assets/" in url for url in urls), urls
    assert any(url.endswith("/openapi.json") for url in urls), urls
