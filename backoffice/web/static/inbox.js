// The hand-off inbox (/admin/inbox): polls the JSON API of /api/admin/handoffs with the session
// cookie, sends the session's CSRF token with every change, and shows everything as text nodes only.
// No dependencies, no build step. The labels come from the page (#inbox-config), in the page's language.
(() => {
  "use strict";

  const configNode = document.getElementById("inbox-config");
  if (!configNode) return;
  const CONFIG = JSON.parse(configNode.textContent);
  const L = CONFIG.labels;
  const ME = CONFIG.me;
  const LOCALE = CONFIG.lang === "en" ? "en-GB" : "th-TH";
  const API = "/api/admin/handoffs";
  const CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const SOUND_KEY = "citizenbot.inbox.sound";
  const TYPING_EVERY_MS = 2500;
  const FIGURES_EVERY_MS = 30000;
  const BASE_TITLE = document.title;

  const $ = (id) => document.getElementById(id);
  const fill = (template, values) =>
    String(template || "").replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  const label = (key, fallback) => (Object.prototype.hasOwnProperty.call(L, key) ? L[key] : fallback === undefined ? key : fallback);

  /** An element with text content only (never HTML from the server). */
  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) node.append(child);
    return node;
  }

  class ApiProblem extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /** One call to the API; an error response becomes an ApiProblem with its message in the page's language. */
  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = CSRF;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      const error = (data && data.error) || {};
      const messages = (error.details && error.details.messages) || {};
      throw new ApiProblem(response.status, messages[CONFIG.lang] || error.message || `HTTP ${response.status}`);
    }
    return data;
  }

  // ---- durations and times ----------------------------------------------------------------
  function duration(seconds) {
    if (seconds === null || seconds === undefined || Number.isNaN(Number(seconds))) return "-";
    const total = Math.max(0, Math.round(Number(seconds)));
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const secs = total % 60;
    if (hours) return fill(L.hours, { h: hours, m: minutes });
    if (minutes) return fill(L.minutes, { m: minutes, s: secs });
    return fill(L.seconds, { s: secs });
  }

  function clock(iso) {
    const when = new Date(iso);
    return Number.isNaN(when.getTime()) ? "" : when.toLocaleTimeString(LOCALE, { hour: "2-digit", minute: "2-digit" });
  }

  // ---- state ------------------------------------------------------------------------------
  const state = {
    items: [],
    known: null, // ids seen in the previous poll; null before the first one (no sound on load)
    openId: null,
    detail: null,
    shownMessages: "", // a key of the messages on screen, to redraw only when they change
    shownTranscriptFor: null,
    agents: [],
    listBusy: false,
    presenceTouched: false,
    again: false,
    lastTyping: 0,
    figuresAt: 0,
  };

  // ---- announcements, problems, sound ------------------------------------------------------
  function announce(text) {
    const node = $("inbox-announcer");
    node.textContent = "";
    window.setTimeout(() => {
      node.textContent = text;
    }, 50);
  }

  function showProblem(text) {
    const node = $("inbox-problem");
    node.textContent = text || "";
    node.hidden = !text;
  }

  function showNotice(text) {
    const node = $("inbox-notice");
    node.textContent = text || "";
    node.hidden = !text;
  }

  let audio = null;
  const soundBox = $("inbox-sound");
  try {
    soundBox.checked = window.localStorage.getItem(SOUND_KEY) === "on";
  } catch {
    soundBox.checked = false;
  }
  soundBox.addEventListener("change", () => {
    try {
      window.localStorage.setItem(SOUND_KEY, soundBox.checked ? "on" : "off");
    } catch {
      // storage blocked: the choice lasts for this page view
    }
    if (soundBox.checked) beep(); // a user gesture: lets the browser start the audio, and shows what it sounds like
  });

  // Browsers start audio only after a gesture on the page: the first click or key after a reload
  // (with the sound already on from last time) gets it ready.
  const unlockAudio = () => {
    if (!soundBox.checked) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch {
      // no audio on this device
    }
  };
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });

  /** A short two-tone beep, made by WebAudio (no sound file). */
  function beep() {
    if (!soundBox.checked) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const now = audio.currentTime;
      [880, 660].forEach((frequency, i) => {
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, now + i * 0.18);
        gain.gain.exponentialRampToValueAtTime(0.2, now + i * 0.18 + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.18 + 0.16);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(now + i * 0.18);
        oscillator.stop(now + i * 0.18 + 0.17);
      });
    } catch {
      // no audio on this device: the badge and the announcement still tell
    }
  }

  // ---- the list -------------------------------------------------------------------------------
  function holderText(item) {
    if (!item.assigned_to) return label("nobody");
    return item.assigned_to === ME ? label("you") : item.assigned_to;
  }

  function waitingCell(item) {
    const cell = h("td", { class: "inbox-wait" });
    if (item.state === "waiting") {
      // Counted here from the moment of the poll, so it moves every second between polls.
      cell.dataset.since = String(Date.now() - Number(item.waiting_seconds || 0) * 1000);
    }
    cell.textContent = duration(item.waiting_seconds);
    return cell;
  }

  function row(item) {
    const open = item.id === state.openId;
    return h(
      "tr",
      { "data-handoff-id": item.id, "data-state": item.state, class: open ? "is-open" : null },
      h(
        "th",
        { scope: "row" },
        h("button", {
          type: "button",
          class: "link inbox-open-button",
          "data-open": item.id,
          "aria-label": fill(L.open, { id: item.id }),
          "aria-current": open ? "true" : null,
          text: `#${item.id}`,
          onclick: () => openRequest(item.id),
        }),
        h("span", { class: `badge state-${item.state}`, text: label(`state_${item.state}`, item.state) }),
      ),
      h("td", { text: label(`reason_${item.reason}`, item.reason || "-") }),
      h("td", { text: `${label(`channel_${item.channel}`, item.channel)} · ${label(`language_${item.language}`, item.language)}` }),
      waitingCell(item),
      h("td", { class: "inbox-last", text: item.last_message || "-" }),
      h("td", { text: item.contact || "-" }),
      h(
        "td",
        { class: "inbox-holder" },
        holderText(item),
        item.unread ? h("span", { class: "badge unread", text: ` ${fill(L.unread, { count: item.unread })}` }) : null,
      ),
    );
  }

  function renderList() {
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.open : null;
    const rows = state.items.map(row);
    $("inbox-rows").replaceChildren(...rows);
    $("inbox-table").hidden = rows.length === 0;
    const empty = $("inbox-empty");
    empty.hidden = rows.length > 0;
    empty.textContent = label("none");
    if (focused) {
      const again = document.querySelector(`[data-open="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
    const waiting = state.items.filter((item) => item.state === "waiting").length;
    const badge = $("inbox-waiting");
    badge.dataset.count = String(waiting);
    badge.textContent = fill(L.waiting_count, { count: waiting });
    badge.hidden = waiting === 0;
    for (const nav of document.querySelectorAll("[data-inbox-waiting]")) {
      nav.textContent = String(waiting);
      nav.hidden = waiting === 0;
      nav.setAttribute("aria-label", fill(L.waiting_count, { count: waiting }));
    }
    document.title = waiting ? `(${waiting}) ${BASE_TITLE}` : BASE_TITLE;
  }

  async function pollList() {
    try {
      const data = await api("GET", API);
      const items = Array.isArray(data && data.handoffs) ? data.handoffs : [];
      const fresh = state.known ? items.filter((item) => item.state === "waiting" && !state.known.has(item.id)) : [];
      state.known = new Set(items.map((item) => item.id));
      state.items = items;
      renderList();
      $("inbox-table").closest("section").dataset.loaded = "true"; // the first answer is in (tests wait for it)
      if (fresh.length) {
        announce(fresh.map((item) => fill(L.new_request, { id: item.id })).join(" "));
        beep();
      }
    } catch (error) {
      const empty = $("inbox-empty");
      if (!state.items.length) {
        empty.hidden = false;
        empty.textContent = error instanceof ApiProblem ? error.message : label("unreachable");
      }
    }
  }

  /** The list and the open request, once at a time; asked again while running, it runs once more after. */
  async function refresh() {
    if (state.listBusy) {
      state.again = true;
      return;
    }
    state.listBusy = true;
    try {
      do {
        state.again = false;
        await pollList();
        await pollDetail();
      } while (state.again);
    } finally {
      state.listBusy = false;
    }
  }

  function tickWaiting() {
    for (const cell of document.querySelectorAll("[data-since]")) {
      cell.textContent = duration((Date.now() - Number(cell.dataset.since)) / 1000);
    }
  }

  // ---- one request -----------------------------------------------------------------------------
  async function openRequest(id) {
    state.openId = id;
    state.detail = null;
    state.shownMessages = "";
    state.shownTranscriptFor = null;
    showNotice("");
    showProblem("");
    renderList();
    await pollDetail();
    $("inbox-detail-title").focus();
    loadAgents();
  }

  async function pollDetail() {
    const id = state.openId;
    if (id === null) return;
    try {
      const detail = await api("GET", `${API}/${encodeURIComponent(id)}`);
      if (state.openId !== id) return;
      state.detail = detail;
      renderDetail();
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 404) {
        state.openId = null;
        state.detail = null;
        renderDetail();
      }
    }
  }

  function speakerOf(entry) {
    const author = entry.author || (entry.from === "citizen" ? "citizen" : entry.from === "bot" ? "bot" : entry.from);
    return author || "bot";
  }

  function chatItem(entry) {
    const author = speakerOf(entry);
    const who = author === "agent" && entry.agent ? `${label("from_agent")} ${entry.agent}` : label(`from_${author}`, author);
    return h(
      "li",
      { class: `chat-${author}`, "data-author": author },
      h("span", { class: "chat-who" }, who, entry.created_at ? h("span", { class: "muted", text: ` · ${clock(entry.created_at)}` }) : null),
      h("p", { class: "chat-text", text: String(entry.text || "") }),
    );
  }

  function fact(term, value) {
    return [h("dt", { text: term }), h("dd", { text: value })];
  }

  function renderDetail() {
    const detail = state.detail;
    $("inbox-pick").hidden = Boolean(detail);
    $("inbox-open").hidden = !detail;
    if (!detail) {
      $("inbox-detail-title").textContent = label("details");
      return;
    }
    $("inbox-detail-title").textContent = fill(L.request, { id: detail.id });
    const mine = detail.state === "taken" && detail.assigned_to === ME;
    const contact = detail.contact_full || detail.contact;
    $("inbox-facts").replaceChildren(
      ...fact(label("state"), label(`state_${detail.state}`, detail.state)),
      ...fact(label("col_reason"), label(`reason_${detail.reason}`, detail.reason || "-")),
      ...fact(label("col_channel"), label(`channel_${detail.channel}`, detail.channel)),
      ...fact(label("col_language"), label(`language_${detail.language}`, detail.language)),
      ...fact(label("col_waiting"), duration(detail.waiting_seconds)),
      ...(contact ? fact(detail.contact_full ? label("contact_full") : label("col_contact"), contact) : []),
      ...(detail.outcome ? fact(label("outcome"), label(`outcome_${detail.outcome}`, detail.outcome)) : []),
    );
    $("inbox-holder").textContent = detail.assigned_to && !mine ? fill(L.taken_by, { name: detail.assigned_to }) : "";
    $("inbox-take").hidden = detail.state !== "waiting";
    for (const id of ["inbox-release", "inbox-reply", "inbox-forward", "inbox-close"]) $(id).hidden = !mine;
    if (state.shownTranscriptFor !== detail.id) {
      const transcript = Array.isArray(detail.transcript) ? detail.transcript : [];
      $("inbox-transcript").replaceChildren(
        ...(transcript.length ? transcript.map(chatItem) : [h("li", { class: "muted", text: label("no_messages") })]),
      );
      state.shownTranscriptFor = detail.id;
    }
    const messages = Array.isArray(detail.messages) ? detail.messages : [];
    const key = `${detail.id}:${messages.map((m) => m.id).join(",")}`;
    if (key !== state.shownMessages) {
      const list = $("inbox-messages");
      list.replaceChildren(...(messages.length ? messages.map(chatItem) : [h("li", { class: "muted", text: label("no_messages") })]));
      list.scrollTop = list.scrollHeight;
      state.shownMessages = key;
    }
  }

  /** Run one change of the open request, then show its result and refresh the list. */
  async function act(path, body, done) {
    const id = state.openId;
    if (id === null) return null;
    showProblem("");
    try {
      const result = await api("POST", `${API}/${encodeURIComponent(id)}/${path}`, body);
      if (done) showNotice(done(result));
      await refresh();
      return result;
    } catch (error) {
      showProblem(fill(L.failed, { problem: error.message }));
      await refresh();
      return null;
    }
  }

  $("inbox-take").addEventListener("click", async () => {
    const id = state.openId;
    const taken = await act("take", undefined, () => fill(L.done_taken, { id }));
    if (taken) $("inbox-reply-text").focus();
  });
  $("inbox-release").addEventListener("click", () => {
    const id = state.openId;
    act("release", undefined, () => fill(L.done_released, { id }));
  });
  $("inbox-reply").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $("inbox-reply-text");
    const text = box.value.trim();
    if (!text) return;
    const sent = await act("reply", { text });
    if (sent) {
      box.value = "";
      box.focus();
    }
  });
  $("inbox-reply-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      $("inbox-reply").requestSubmit();
    }
  });
  $("inbox-reply-text").addEventListener("input", () => {
    // "The officer is typing" in the citizen's widget: a ping every few seconds while keys are pressed.
    const now = Date.now();
    if (state.openId === null || now - state.lastTyping < TYPING_EVERY_MS) return;
    state.lastTyping = now;
    api("POST", `${API}/${encodeURIComponent(state.openId)}/typing`).catch(() => {});
  });
  $("inbox-forward").addEventListener("submit", (event) => {
    event.preventDefault();
    const to = $("inbox-forward-to").value;
    if (!to) return;
    const id = state.openId;
    const name = $("inbox-forward-to").selectedOptions[0].dataset.name || to;
    act("forward", { to }, () => fill(L.done_forwarded, { id, name }));
  });
  $("inbox-close").addEventListener("submit", (event) => {
    event.preventDefault();
    const outcome = $("inbox-outcome").value;
    const id = state.openId;
    act("close", { outcome }, () => fill(L.done_closed, { id, outcome: label(`outcome_${outcome}`, outcome) }));
  });

  // ---- colleagues and presence -------------------------------------------------------------------
  function agentName(agent) {
    return agent.name || agent.account || "";
  }

  function presenceOf(agent) {
    return agent.presence || agent.status || "away";
  }

  function renderAgents() {
    const select = $("inbox-forward-to");
    const others = state.agents.filter((agent) => agentName(agent) && agentName(agent) !== ME);
    select.replaceChildren(
      ...others.map((agent) => {
        const shown = agent.display_name || agentName(agent);
        const text = fill(presenceOf(agent) === "online" ? L.agent_online : L.agent_away, { name: shown });
        return h("option", { value: agentName(agent), "data-name": shown, text });
      }),
    );
    if (!others.length) select.append(h("option", { value: "", text: label("no_colleague") }));
    const me = state.agents.find((agent) => agentName(agent) === ME);
    if (me && !state.presenceTouched) {
      // What the server knows, unless the agent has switched since this list was asked for.
      const radio = $(presenceOf(me) === "online" ? "presence-online" : "presence-away");
      if (!radio.checked) radio.checked = true;
    }
  }

  async function loadAgents() {
    try {
      const data = await api("GET", `${API}/agents`);
      state.agents = Array.isArray(data) ? data : Array.isArray(data && data.agents) ? data.agents : [];
      renderAgents();
    } catch {
      // the forward list stays as it was
    }
  }

  for (const radio of document.querySelectorAll('input[name="presence"]')) {
    radio.addEventListener("change", async () => {
      if (!radio.checked) return;
      state.presenceTouched = true;
      try {
        const data = await api("PUT", `${API}/presence`, { status: radio.value });
        const status = (data && data.status) || radio.value;
        $(status === "online" ? "presence-online" : "presence-away").checked = true;
        showProblem("");
      } catch (error) {
        showProblem(fill(L.failed, { problem: error.message }));
      }
    });
  }

  // ---- figures ------------------------------------------------------------------------------------
  function countRows(counts, labelOf) {
    const entries = Object.entries(counts || {}).sort((a, b) => b[1] - a[1]);
    if (!entries.length) return [h("tr", {}, h("td", { colspan: "2", class: "muted", text: label("no_data") }))];
    return entries.map(([key, count]) => h("tr", {}, h("th", { scope: "row", text: labelOf(key) }), h("td", { text: String(count) })));
  }

  async function loadFigures() {
    state.figuresAt = Date.now();
    try {
      const days = $("inbox-days").value;
      const data = await api("GET", `${API}/figures?days=${encodeURIComponent(days)}`);
      const wait = (data && data.waiting_seconds) || {};
      const figure = (name, value) => {
        document.querySelector(`[data-figure="${name}"]`).textContent = value;
      };
      figure("requests", String(data.requests ?? "-"));
      figure("taken", String(data.taken ?? "-"));
      figure("median", duration(wait.median));
      figure("p90", duration(wait.p90));
      $("inbox-per-agent").replaceChildren(...countRows(data.per_agent, (name) => name));
      $("inbox-outcomes").replaceChildren(...countRows(data.outcomes, (key) => label(`outcome_${key}`, key)));
    } catch {
      // figures are a side dish: the inbox works without them
    }
  }
  $("inbox-days").addEventListener("change", loadFigures);

  // ---- start ---------------------------------------------------------------------------------------
  function tick() {
    refresh();
    if (Date.now() - state.figuresAt > FIGURES_EVERY_MS) loadFigures();
  }
  loadAgents();
  tick();
  window.setInterval(tick, CONFIG.poll_ms);
  window.setInterval(tickWaiting, 1000);
})();
