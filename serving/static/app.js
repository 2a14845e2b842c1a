/* The handler's page: classify the note as it is typed and show why.
 *
 * Plain script, no build step, no third-party code. Note text and evidence are only ever
 * inserted with textContent / createTextNode, never as HTML, so a note holding markup is
 * shown as it was typed. Only the newest classification is drawn: each request carries a
 * sequence number, a newer one aborts the older, and an answer that is not the newest is
 * dropped, so a slow old answer can never overwrite a newer one.
 */
"use strict";

(() => {
  const DEBOUNCE_MS = 150;
  const KEY_STORAGE = "rightcall.apiKey";
  const ORDER = ["threat_to_life", "crime", "mental_health"];
  const TITLES = {threat_to_life: "Threat to life", crime: "Crime", mental_health: "Mental health"};
  const ROUTE_NAMES = {
    "police": "Police",
    "police-and-health": "Police and health",
    "health-led": "Health-led",
    "no-signal": "No signal",
  };
  const MAX_CHANGES = 4;
  const BIG_MOVE = 0.25;  // a move this large is news even when no threshold is crossed
  const CLAUSE_BREAK = /[.;:!?,\n]/;
  const UNFLAGGED_STORAGE = "rightcall.showUnflagged";
  const BAR_COLOURS = {threat_to_life: "var(--ttl)", crime: "var(--crime-bar)", mental_health: "var(--mh)"};

  const $ = (id) => document.getElementById(id);
  const el = {
    note: $("note"), status: $("status"), newCall: $("new-call"),
    version: $("model-version"), latency: $("latency"), forgetKey: $("forget-key"),
    keyPanel: $("key-panel"), keyMessage: $("key-message"), keyForm: $("key-form"),
    keyInput: $("api-key"),
    routeName: $("route-name"), routeReasons: $("route-reasons"),
    changes: $("changes"), changesLatest: $("changes-latest"),
    view: $("note-view"), cues: $("cues"), live: $("live-summary"),
    fbForm: $("feedback-form"), fbRoute: $("fb-route"), fbComment: $("fb-comment"),
    fbSend: $("fb-send"), fbMessage: $("fb-message"), offline: $("offline-banner"),
    offlineText: $("offline-text"), showUnflagged: $("show-unflagged"),
  };

  const state = {
    timer: 0,
    seq: 0,
    inflight: null,     // AbortController of the newest classify request
    result: null,       // newest answer drawn: {text, body, ms}
    judged: false,      // the handler has changed a feedback checkbox for this note
    thresholds: null,   // from /v1/model, until a classification brings its own
    lastSummary: "",
  };

  // ---- small helpers ------------------------------------------------------------------

  function pct(p) {
    if (p < 0.005) return "<1%";
    if (p > 0.995) return ">99%";
    return `${Math.round(p * 100)}%`;
  }

  /** HH:MM:SS on the 24-hour clock, whatever the browser's locale (control rooms log 24-hour). */
  function clock() {
    const now = new Date();
    return [now.getHours(), now.getMinutes(), now.getSeconds()]
      .map((part) => String(part).padStart(2, "0")).join(":");
  }

  function node(tag, className, text) {
    const item = document.createElement(tag);
    if (className) item.className = className;
    if (text !== undefined) item.textContent = text;
    return item;
  }

  /** The line under the note; only errors are spoken (progress would be read every pause). */
  function setStatus(text, kind) {
    el.status.textContent = text;
    el.status.dataset.kind = kind || "";
    if (kind === "error") {
      el.live.textContent = text;
      state.lastSummary = "";
    }
  }

  function storedKey() {
    try { return sessionStorage.getItem(KEY_STORAGE) || ""; } catch { return ""; }
  }

  function storeKey(key) {
    try {
      if (key) sessionStorage.setItem(KEY_STORAGE, key); else sessionStorage.removeItem(KEY_STORAGE);
    } catch { /* storage refused: the key lives until the page is closed */ }
    el.forgetKey.hidden = !key;
  }

  /** POST/GET JSON with the session's API key; returns {status, body}. Throws on network
   *  failure or abort. Error bodies are {error, request_id}. */
  async function api(path, body, signal) {
    const headers = {"Accept": "application/json"};
    const key = storedKey();
    if (key) headers["X-API-Key"] = key;
    const init = {method: body === undefined ? "GET" : "POST", headers, signal, cache: "no-store"};
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    let parsed = null;
    try { parsed = await response.json(); } catch { parsed = null; }
    if (response.status === 401) askForKey(Boolean(key));
    return {status: response.status, body: parsed};
  }

  function errorText(answer) {
    const message = answer.body && typeof answer.body.error === "string"
      ? answer.body.error : `the server answered ${answer.status}`;
    const id = answer.body && answer.body.request_id ? ` (request ${answer.body.request_id})` : "";
    return message + id;
  }

  // ---- API key ------------------------------------------------------------------------

  function askForKey(wasRejected) {
    if (wasRejected) storeKey("");
    el.keyMessage.textContent = wasRejected
      ? "That API key was not accepted. Enter a valid handler key to continue."
      : "This server needs an API key before it can classify notes. Enter it once; it is kept for this tab only.";
    el.keyPanel.hidden = false;
    setStatus("Waiting for an API key.", "error");
  }

  el.keyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = el.keyInput.value.trim();
    if (!key) { el.keyInput.focus(); return; }
    storeKey(key);
    el.keyInput.value = "";
    el.keyPanel.hidden = true;
    loadModel();
    if (el.note.value.trim()) classifyNow(); else setStatus("Key saved for this tab.", "");
    el.note.focus();
  });

  el.forgetKey.addEventListener("click", () => {
    storeKey("");
    setStatus("API key forgotten.", "");
  });

  // ---- model info ---------------------------------------------------------------------

  async function loadModel() {
    try {
      const answer = await api("/v1/model");
      if (answer.status === 200 && answer.body) {
        showVersion(answer.body.version);
        state.thresholds = answer.body.thresholds || null;
        if (!state.result) drawEmptySignals();
      } else if (answer.status === 503) {
        el.version.textContent = "model: none loaded";
      } else if (answer.status === 401) {
        el.version.textContent = "model: needs an API key";
      } else {
        el.version.textContent = "model: unknown";
      }
    } catch {
      el.version.textContent = "model: server unreachable";
      showOffline("Cannot reach the rightcall server.");
    }
  }

  function showVersion(version) {
    hideOffline();
    el.version.textContent = `model ${version}`;
  }

  // ---- classification -----------------------------------------------------------------

  el.note.addEventListener("input", () => {
    clearTimeout(state.timer);
    state.timer = setTimeout(classifyNow, DEBOUNCE_MS);
  });

  /** Classify the note as it is now; resolves to the drawn result, or null. */
  async function classifyNow() {
    clearTimeout(state.timer);
    const text = el.note.value;
    const mine = ++state.seq;
    if (state.inflight) state.inflight.abort();
    state.inflight = null;
    if (!text.trim()) {
      clearResult();
      return null;
    }
    const controller = new AbortController();
    state.inflight = controller;
    const started = performance.now();
    setStatus("Updating…", "busy");
    let answer;
    try {
      answer = await api("/v1/classify", {text}, controller.signal);
    } catch (error) {
      if (mine !== state.seq || controller.signal.aborted) return null;
      setStale("Cannot reach the rightcall server: the signals shown are out of date.");
      showOffline("Cannot reach the rightcall server: the signals shown are out of date.");
      return null;
    }
    if (mine !== state.seq) return null;  // a newer request was sent: this answer is stale
    state.inflight = null;
    if (answer.status !== 200 || !answer.body) {
      if (answer.status !== 401) setStale(`Not updated: ${errorText(answer)}`);
      return null;
    }
    const ms = performance.now() - started;
    const result = {text, body: answer.body, ms};
    draw(result, state.result);
    state.result = result;
    return result;
  }

  function setStale(message) {
    setStatus(message, "error");
    document.body.classList.add("stale");
  }

  /** The banner across the top: the server is unreachable, until an answer comes back. */
  function showOffline(message) {
    el.offlineText.textContent = message;
    el.offline.hidden = false;
    document.body.classList.add("offline");
  }

  function hideOffline() {
    el.offline.hidden = true;
    document.body.classList.remove("offline");
  }

  function clearResult() {
    state.result = null;
    document.body.classList.remove("stale");
    drawEmptySignals();
    el.routeName.textContent = "–";
    el.routeName.dataset.route = "";
    el.routeReasons.replaceChildren();
    el.view.replaceChildren(document.createTextNode(
      "The note appears here with the words that drove each signal highlighted."));
    el.view.classList.add("empty");
    delete el.view.dataset.requestId;
    el.cues.replaceChildren();
    el.latency.textContent = "";
    setStatus("", "");
    syncFeedback(null);
  }

  // ---- drawing ------------------------------------------------------------------------

  function draw(result, previous) {
    const {body, text, ms} = result;
    document.body.classList.remove("stale");
    showVersion(body.model.version);
    el.latency.textContent = `${Math.round(ms)} ms`;
    el.latency.title = "Round trip of the last classification, as measured by this page";
    for (const label of ORDER) drawSignal(label, body.labels[label]);
    drawRoute(body.route);
    drawNote(text, body.evidence, body.labels);
    el.view.dataset.requestId = body.request_id;  // which answer is drawn (for support, tests)
    drawChanges(body, previous ? previous.body : null);
    syncFeedback(body);
    setStatus(`Updated ${clock()}`, "");
    announce(body);
  }

  function drawSignal(label, score) {
    const card = document.querySelector(`.signal[data-label="${label}"]`);
    const meter = $(`meter-${label}`);
    const value = Math.round(score.probability * 1000) / 10;
    card.dataset.state = score.flagged ? "flagged" : "clear";
    $(`pct-${label}`).textContent = pct(score.probability);
    $(`state-${label}`).textContent = score.flagged ? "▲ FLAGGED" : "not flagged";
    $(`threshold-${label}`).textContent = `threshold ${pct(score.threshold)}`;
    meter.style.setProperty("--value", `${value}%`);
    meter.style.setProperty("--threshold", `${score.threshold * 100}%`);
    meter.setAttribute("aria-valuenow", String(value));
    meter.setAttribute("aria-valuetext", `${pct(score.probability)}, threshold ${pct(score.threshold)}, ${score.flagged ? "flagged" : "not flagged"}`);
  }

  function drawEmptySignals() {
    for (const label of ORDER) {
      const card = document.querySelector(`.signal[data-label="${label}"]`);
      const meter = $(`meter-${label}`);
      card.dataset.state = "empty";
      $(`pct-${label}`).textContent = "–";
      $(`state-${label}`).textContent = "no note yet";
      meter.style.setProperty("--value", "0%");
      meter.setAttribute("aria-valuenow", "0");
      meter.setAttribute("aria-valuetext", "no note yet");
      const threshold = state.thresholds && state.thresholds[label];
      if (typeof threshold === "number") {
        meter.style.setProperty("--threshold", `${threshold * 100}%`);
        $(`threshold-${label}`).textContent = `threshold ${pct(threshold)}`;
      }
    }
  }

  function drawRoute(route) {
    el.routeName.textContent = ROUTE_NAMES[route.suggestion] || route.suggestion;
    el.routeName.dataset.route = route.suggestion;
    el.routeReasons.replaceChildren(...route.reasons.map((reason) =>
      node("li", "", reason.charAt(0).toUpperCase() + reason.slice(1))));
  }

  /** Python counts code points, JavaScript strings count UTF-16 units: map one to the other. */
  function codePointOffsets(text) {
    const offsets = [];
    let unit = 0;
    for (const ch of text) {
      offsets.push(unit);
      unit += ch.length;
    }
    offsets.push(unit);
    return offsets;
  }

  /** The clause around a cue, e.g. "no weapons seen", for the tooltip. */
  function clauseAround(text, start, end) {
    let a = start;
    while (a > 0 && !CLAUSE_BREAK.test(text[a - 1]) && start - a < 60) a -= 1;
    let b = end;
    while (b < text.length && !CLAUSE_BREAK.test(text[b]) && b - end < 60) b += 1;
    return text.slice(a, b).trim();
  }

  function drawNote(text, evidence, scores) {
    const offsets = codePointOffsets(text);
    const flagged = new Set(ORDER.filter((label) => scores[label] && scores[label].flagged));
    const items = evidence
      .filter((e) => e.start >= 0 && e.end < offsets.length && e.start < e.end)
      .map((e) => ({...e, from: offsets[e.start], to: offsets[e.end]}));
    const cuts = new Set([0, text.length]);
    for (const item of items) { cuts.add(item.from); cuts.add(item.to); }
    const points = [...cuts].sort((x, y) => x - y);
    const parts = [];
    for (let i = 0; i < points.length - 1; i += 1) {
      const from = points[i];
      const to = points[i + 1];
      const piece = text.slice(from, to);
      const covering = items.filter((item) => item.from <= from && item.to >= to);
      parts.push(covering.length ? highlight(piece, covering, text, flagged)
                                 : document.createTextNode(piece));
    }
    el.view.classList.remove("empty");
    el.view.replaceChildren(...parts);
    drawCues(items, text);
  }

  /**
   * One piece of the note that some cues cover. Evidence for a flagged signal is tinted in its
   * colour; evidence for a signal that is not flagged is drawn muted (or not at all, with the
   * toggle off), so it never reads as an alert. A piece that drove several signals carries one
   * underline band per signal and names each in its tooltip.
   */
  function highlight(piece, covering, text, flagged) {
    const present = covering.filter((item) => item.context === "present");
    const ruledOut = covering.filter((item) => item.context !== "present");
    const drove = ORDER.filter((label) => present.some((item) => item.label === label));
    const alerting = drove.filter((label) => flagged.has(label));
    const pool = present.length ? present : ruledOut;
    const primary = alerting[0] || ORDER.find((label) => pool.some((item) => item.label === label));
    const mark = node("mark", `hl hl-${primary}`, piece);
    const labels = [...new Set(covering.map((item) => item.label))];
    mark.dataset.labels = labels.join(" ");
    mark.dataset.drove = drove.join(" ");
    mark.dataset.flagged = alerting.join(" ");
    if (present.length && !alerting.length) mark.classList.add("muted");
    if (drove.length > 1) {
      // Stacked bands under the text, one per signal, strongest (first in ORDER) nearest the text.
      const shown = alerting.length ? [...alerting, ...drove.filter((l) => !flagged.has(l))] : drove;
      mark.classList.add("multi");
      mark.style.boxShadow = shown
        .map((label, n) => `inset 0 -${3 * (n + 1)}px 0 ${flagged.has(label) ? BAR_COLOURS[label] : "var(--clear)"}`)
        .reverse().join(", ");
    }
    const lines = drove.map((label) => {
      const phrases = [...new Set(present.filter((item) => item.label === label).map((item) => `'${item.text}'`))];
      const status = flagged.has(label) ? "" : " (signal not flagged)";
      return `${TITLES[label]}${status}: ${phrases.join(", ")}`;
    });
    if (ruledOut.length) {
      if (!present.length) {
        mark.classList.add("ruled-out");
        mark.dataset.context = ruledOut[0].context;
      }
      for (const item of ruledOut) {
        lines.push(`${item.context}: '${clauseAround(text, item.from, item.to)}' ` +
                   `(${TITLES[item.label].toLowerCase()} cue '${item.text}')`);
      }
    }
    mark.title = [...new Set(lines)].join("\n");
    return mark;
  }

  function applyUnflaggedToggle() {
    document.body.classList.toggle("hide-unflagged", !el.showUnflagged.checked);
  }

  function drawCues(items, text) {
    const seen = new Set();
    const rows = [];
    for (const item of items) {
      if (item.context === "present") continue;
      const key = `${item.from}:${item.to}:${item.context}:${item.label}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const row = node("li", "");
      row.append(node("span", "cue-context", `${item.context}: `),
                 node("s", "", `'${clauseAround(text, item.from, item.to)}'`),
                 document.createTextNode(` (${TITLES[item.label].toLowerCase()} cue '${item.text}' not counted as present)`));
      rows.push(row);
    }
    el.cues.replaceChildren(...rows);
  }

  function drawChanges(now, before) {
    const events = [];
    for (const label of ORDER) {
      const was = before ? before.labels[label].flagged : false;
      const is = now.labels[label].flagged;
      if (is && !was) {
        events.push({label, up: true, text: `${TITLES[label]} now FLAGGED (${pct(now.labels[label].probability)})`});
      } else if (was && !is) {
        events.push({label, up: false, text: `${TITLES[label]} no longer flagged (${pct(now.labels[label].probability)})`});
      } else if (before) {
        const from = before.labels[label].probability;
        const to = now.labels[label].probability;
        if (Math.abs(to - from) >= BIG_MOVE) {
          const verb = to > from ? "rose" : "fell";
          const still = is ? "still flagged" : "still below threshold";
          events.push({label, up: to > from, text: `${TITLES[label]} ${verb} ${pct(from)} → ${pct(to)} (${still})`});
        }
      }
    }
    if (before && before.route.suggestion !== now.route.suggestion) {
      const name = (r) => ROUTE_NAMES[r] || r;
      events.push({label: "route", up: true,
                   text: `Route now ${name(now.route.suggestion)} (was ${name(before.route.suggestion)})`});
    }
    for (const old of el.changes.querySelectorAll("li.fresh")) old.classList.remove("fresh");
    if (!events.length) {
      el.changesLatest.textContent = "Last update: no signal crossed its threshold or moved far.";
      return;
    }
    el.changesLatest.textContent = "Newest first; bold entries came with the last update.";
    const time = clock();
    for (const event of events.reverse()) {
      const row = node("li", `fresh change-${event.label} ${event.up ? "up" : "down"}`);
      row.append(node("span", "change-text", event.text), node("time", "", time));
      el.changes.prepend(row);
    }
    while (el.changes.children.length > MAX_CHANGES) el.changes.lastElementChild.remove();
  }

  /** A short spoken summary, only when a flag or the route changes (not on every keystroke). */
  function announce(body) {
    const flags = ORDER.map((label) =>
      `${TITLES[label]} ${body.labels[label].flagged ? "flagged" : "not flagged"}`).join(", ");
    const summary = `${flags}. Suggested route: ${ROUTE_NAMES[body.route.suggestion] || body.route.suggestion}.`;
    if (summary !== state.lastSummary) {
      state.lastSummary = summary;
      el.live.textContent = summary;
    }
  }

  // ---- new call -----------------------------------------------------------------------

  el.newCall.addEventListener("click", () => {
    el.note.value = "";
    ++state.seq;
    if (state.inflight) state.inflight.abort();
    state.inflight = null;
    clearTimeout(state.timer);
    clearResult();
    el.changes.replaceChildren();
    el.changesLatest.textContent = "Nothing yet.";
    el.fbRoute.value = "";
    el.fbComment.value = "";
    setFeedbackMessage("", "");
    state.lastSummary = "";
    el.note.focus();
  });

  // ---- feedback -----------------------------------------------------------------------

  function checkbox(label) { return $(`fb-${label}`); }

  /** Tick the boxes from the model's flags until the handler changes one themselves. */
  function syncFeedback(body) {
    if (!body) state.judged = false;
    if (state.judged) return;
    for (const label of ORDER) checkbox(label).checked = Boolean(body && body.labels[label].flagged);
  }

  for (const label of ORDER) {
    checkbox(label).addEventListener("change", () => { state.judged = true; });
  }

  function setFeedbackMessage(text, kind) {
    el.fbMessage.textContent = text;
    el.fbMessage.dataset.kind = kind;
    el.fbMessage.setAttribute("role", kind === "error" ? "alert" : "status");
  }

  el.fbForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!el.note.value.trim()) {
      setFeedbackMessage("Type the note first: feedback is about a note.", "error");
      return;
    }
    el.fbSend.disabled = true;
    setFeedbackMessage("Sending…", "busy");
    try {
      let result = state.result;
      if (!result || result.text !== el.note.value) result = await classifyNow();
      if (!result) {
        setFeedbackMessage("Not sent: the note could not be classified just now (see the status above). Your judgement is kept; try again.", "error");
        return;
      }
      const payload = {
        request_id: result.body.request_id,
        text: result.text,
        labels: Object.fromEntries(ORDER.map((label) => [label, checkbox(label).checked])),
      };
      if (el.fbRoute.value) payload.route_taken = el.fbRoute.value;
      const comment = el.fbComment.value.trim();
      if (comment) payload.comment = comment;
      let answer;
      try {
        answer = await api("/v1/feedback", payload);
      } catch {
        setFeedbackMessage("Not saved: cannot reach the rightcall server. Your judgement is kept; try again.", "error");
        return;
      }
      if (answer.status === 201 && answer.body) {
        setFeedbackMessage(`Feedback saved (#${answer.body.feedback_id}) at ${clock()}. Thank you.`, "ok");
        state.judged = true;
      } else {
        setFeedbackMessage(`Not saved: ${errorText(answer)}. Your judgement is kept; try again.`, "error");
      }
    } finally {
      el.fbSend.disabled = false;
    }
  });

  // ---- evidence of signals that are not flagged ----------------------------------------

  el.showUnflagged.checked = localStorage.getItem(UNFLAGGED_STORAGE) !== "hide";
  applyUnflaggedToggle();
  el.showUnflagged.addEventListener("change", () => {
    localStorage.setItem(UNFLAGGED_STORAGE, el.showUnflagged.checked ? "show" : "hide");
    applyUnflaggedToggle();
  });

  // ---- start --------------------------------------------------------------------------

  el.forgetKey.hidden = !storedKey();
  loadModel();
  if (el.note.value.trim()) classifyNow();
})();
