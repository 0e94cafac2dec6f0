/*!
 * citizenbot web chat widget. Add one tag to any page:
 *
 *   <script src="https://<gateway>/widget.js" defer></script>
 *
 * Optional attribute: data-lang="en" (language on a first visit; Thai otherwise).
 *
 * Language: each message's own language decides the reply's, and the widget's words follow
 * the reply. Only once the citizen presses the Thai/English switch does the widget send
 * `language` with every message (remembered until "new conversation"); pressed during a
 * conversation, the switch also asks the bot to say its current answer again in that language.
 *
 * Hand-off: while a request for an officer is waiting or an officer holds the conversation, the
 * widget polls GET /api/chat/handoff every 2 s (and once on load, to pick up after a reload), shows
 * the officer's and the system's messages, "the officer is typing" and a cancel button.
 *
 * Plain JavaScript, no dependencies, no build step. Bot and user content is only ever
 * put into the page as text nodes (never innerHTML), and links must be http(s).
 */
(() => {
  "use strict";

  // Loaded twice (a tag manager and the page, say): one launcher is enough.
  if (window.citizenbotWidget) return;

  // The gateway is wherever this script came from; currentScript is null only in odd
  // loaders (modules, injected code), so fall back to looking for our tag.
  const script =
    document.currentScript || Array.from(document.scripts).find((s) => /\/widget\.js(?:[?#]|$)/.test(s.src));
  if (!script || !script.src) return;
  const ORIGIN = new URL(script.src, document.baseURI).origin;
  const API_URL = `${ORIGIN}/api/chat`;
  const CSS_URL = `${ORIGIN}/widget.css`;

  // The gateway writes its configuration here as it serves this file: the widget's words
  // (from the gateway's one table of citizen texts) and the longest message its API takes.
  const CONFIG = /*{{WIDGET_CONFIG}}*/ null;
  const MAX_CHARS = CONFIG.max_message_chars;
  const PHOTO_MAX_BYTES = CONFIG.photo_max_bytes || 10 * 1024 * 1024; // a problem report's photo
  const STRINGS = CONFIG.strings; // {th: {...}, en: {...}}; texts keep their {placeholders}
  const NUMBER_LOCALES = { th: "th-TH", en: "en-GB" };
  const MAX_HISTORY = 60; // entries kept across reloads: web storage is small and shared with the host site
  const REQUEST_TIMEOUT_MS = 65000; // a little over the gateway's own wait for Rasa
  const HANDOFF_POLL_MS = 2 * 1000; // while a request for an officer is open
  const HANDOFF_OPEN = ["waiting", "with_officer"];
  // Namespaced by gateway too, so two deployments embedded on one site keep apart.
  const STORE_PREFIX = `citizenbot.widget.v1:${ORIGIN}:`;
  const THAI = /[\u0E00-\u0E7F]/;
  const langOf = (value) => (value === "en" ? "en" : "th");

  /** A text with its {placeholders} filled from values (the table's own format). */
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
    );
  }

  // ---- storage: a broken or full storage must never break the chat ----------------------
  // By default everything the widget keeps (the conversation, its id, the language choice) lives
  // in this tab's sessionStorage and goes when the tab closes. Ticking "keep this conversation on
  // this device" moves it to localStorage until KEEP_DAYS after the last message; when the widget
  // loads after that, or without the choice, nothing of ours is left in localStorage.
  const PRIVACY = CONFIG.privacy || null; // the days the notice tells (from the gateway's settings)
  const KEEP_MS = PRIVACY ? Number(PRIVACY.keep_days) * 24 * 60 * 60 * 1000 : 0;
  const KEEP_KEY = `${STORE_PREFIX}keep-until`;
  function storageArea(name) {
    try {
      return window[name]; // reading it throws where the host page's storage is blocked
    } catch {
      return null;
    }
  }
  const areas = { session: storageArea("sessionStorage"), local: storageArea("localStorage") };
  function keptUntil() {
    try {
      return Number(areas.local.getItem(KEEP_KEY)) || 0;
    } catch {
      return 0;
    }
  }
  /** Remove our keys (the keep mark too) from an area, or move them into another one. */
  function moveOurs(from, to) {
    try {
      for (const key of Object.keys(from)) {
        if (!key.startsWith(STORE_PREFIX) || key === KEEP_KEY) continue;
        if (to) to.setItem(key, from.getItem(key));
        from.removeItem(key);
      }
    } catch {
      // as below: storage blocked or full
    }
  }
  let keeping = KEEP_MS > 0 && keptUntil() > Date.now();
  if (!keeping) {
    moveOurs(areas.local, null); // expired or never chosen (older widgets kept history here for ever)
    try {
      areas.local.removeItem(KEEP_KEY);
    } catch {
      // as below
    }
  }
  const area = () => (keeping ? areas.local : areas.session);

  const store = {
    get(key, fallback) {
      try {
        const raw = area().getItem(STORE_PREFIX + key);
        return raw === null ? fallback : JSON.parse(raw);
      } catch {
        return fallback;
      }
    },
    set(key, value) {
      try {
        area().setItem(STORE_PREFIX + key, JSON.stringify(value));
        // Kept conversations expire KEEP_DAYS after the last message, not after the choice.
        if (keeping && key === "history") areas.local.setItem(KEEP_KEY, String(Date.now() + KEEP_MS));
      } catch {
        // Storage blocked or full: the conversation still works for this page view.
      }
    },
    remove(key) {
      try {
        area().removeItem(STORE_PREFIX + key);
      } catch {
        // as above
      }
    },
  };

  /** The citizen's choice: keep the conversation on this device (localStorage) or in this tab only. */
  function setKeeping(on) {
    if (!KEEP_MS || on === keeping) return;
    moveOurs(on ? areas.session : areas.local, on ? areas.local : areas.session);
    keeping = on;
    try {
      if (on) areas.local.setItem(KEEP_KEY, String(Date.now() + KEEP_MS));
      else areas.local.removeItem(KEEP_KEY);
    } catch {
      // as above
    }
  }

  /** A conversation id as the gateway issues them, checked loosely: the gateway decides whether it is its own. */
  function validSender(value) {
    return typeof value === "string" && /^[\w.-]{1,128}$/.test(value) ? value : null;
  }

  /** The language the citizen chose with the switch, or null while they have not pressed it. */
  function savedChoice() {
    const saved = store.get("lang", null);
    return saved === "th" || saved === "en" ? saved : null;
  }

  /** The widget's words before any answer: the tag's data-lang, the page's <html lang>, else Thai. */
  function pageLanguage() {
    const wanted = (script.dataset.lang || document.documentElement.lang || "").toLowerCase();
    return wanted.startsWith("en") ? "en" : "th";
  }

  /** The language of the newest answer in the history, or null when there is none. */
  function lastAnswerLanguage(history) {
    const last = history.filter((e) => e.role === "bot").pop();
    return last ? langOf(last.lang) : null;
  }

  const savedSender = store.get("sender", null);
  const history = loadHistory();
  const choice = savedChoice();
  const state = {
    sender: validSender(savedSender), // null until the gateway gives one: it issues conversation ids
    choice, // sent as `language` when set; null lets each message's own language decide
    lang: choice || lastAnswerLanguage(history) || pageLanguage(), // the widget's own words
    open: store.get("open", false) === true,
    history,
    pending: false,
    failed: null, // {text, display} of a message that got no answer, for the retry button
    // The request for an officer: its state, the officer's display name, whether they are typing,
    // and the id of the last officer/system message shown (the poll's cursor).
    handoff: loadHandoff(),
  };
  if (!state.sender) store.remove("sender"); // a stored value of the wrong shape is dropped

  function loadHistory() {
    const raw = store.get("history", []);
    if (!Array.isArray(raw)) return [];
    return raw
      .filter(
        (e) =>
          e &&
          (e.role === "user" || e.role === "officer"
            ? typeof e.text === "string"
            : e.role === "bot" && Array.isArray(e.messages)),
      )
      .slice(-MAX_HISTORY);
  }

  function loadHandoff() {
    const raw = store.get("handoff", null);
    const after = raw && Number.isInteger(raw.after) && raw.after >= 0 ? raw.after : 0;
    const known = raw && typeof raw.state === "string" ? raw.state : "none";
    return { state: known, officer: raw && typeof raw.officer === "string" ? raw.officer : null, typing: false, after };
  }

  function saveHandoff() {
    const { state: now, officer, after } = state.handoff;
    store.set("handoff", { state: now, officer, after });
  }

  function saveHistory() {
    state.history = state.history.slice(-MAX_HISTORY);
    store.set("history", state.history);
  }

  // ---- safe DOM building ---------------------------------------------------------------
  // Every string goes in through textContent, append() (text nodes) or setAttribute.
  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  const ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
    close: "M6 6l12 12M18 6L6 18",
    send: "M3 11.5L21 3l-8.5 18-2.2-7.3L3 11.5z",
    restart: "M4 12a8 8 0 1 0 2.3-5.6M4 4v4.5h4.5",
    chevron: "M6 9l6 6 6-6",
  };
  function icon(name, filled) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", `cb-icon${filled ? " cb-icon-filled" : ""}`);
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  /** The URL if it is an absolute http(s) one, else null: javascript:, data: and friends are refused. */
  function safeUrl(value) {
    if (typeof value !== "string") return null;
    try {
      const url = new URL(value.trim());
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch {
      return null;
    }
  }

  function externalLink(url, label, lang, className) {
    const href = safeUrl(url);
    if (!href) return h("span", { class: className, lang }, label);
    return h(
      "a",
      { class: className, href, target: "_blank", rel: "noopener noreferrer", lang },
      label,
      h("span", { class: "cb-sr", text: ` ${STRINGS[lang].new_tab}` }),
    );
  }

  // Turns the http(s) URLs inside a plain text into links; everything else stays text.
  const URL_IN_TEXT = /https?:\/\/[^\s<>"'()]+/g;
  function linkified(text, lang) {
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(URL_IN_TEXT)) {
      const url = match[0].replace(/[.,;:!?]+$/, ""); // a sentence's full stop is not part of the URL
      parts.push(text.slice(last, match.index));
      parts.push(externalLink(url, url, lang, "cb-inline-link"));
      last = match.index + url.length;
    }
    parts.push(text.slice(last));
    return parts;
  }

  const str = (value) => (typeof value === "string" ? value : value === null || value === undefined ? "" : String(value));

  // ---- the widget's DOM ----------------------------------------------------------------
  const host = h("div", { id: "citizenbot-widget" });
  host.hidden = true; // until the stylesheet arrives, so the page never flashes unstyled parts
  const shadow = host.attachShadow({ mode: "open" }); // the host page's CSS cannot reach in
  const stylesheet = h("link", { rel: "stylesheet", href: CSS_URL });
  const reveal = () => {
    host.hidden = false;
  };
  stylesheet.addEventListener("load", reveal);
  stylesheet.addEventListener("error", reveal); // unstyled but usable beats invisible

  // Named by its visible label (so voice control users can say it); aria-expanded tells
  // whether the chat is open, and the icon shows it.
  const launcherLabel = h("span", { class: "cb-launcher-label" });
  const launcherIcons = { closed: icon("chat", true), open: icon("chevron") };
  const launcher = h(
    "button",
    { type: "button", class: "cb-launcher", "aria-controls": "cb-panel", "aria-expanded": "false" },
    launcherIcons.closed,
    launcherLabel,
  );

  const title = h("h2", { id: "cb-title", class: "cb-title" });
  const subtitle = h("p", { id: "cb-subtitle", class: "cb-subtitle" });
  const langButtons = {
    th: h("button", { type: "button", class: "cb-lang", lang: "th", "data-lang": "th", text: STRINGS.th.language_name }),
    en: h("button", { type: "button", class: "cb-lang", lang: "en", "data-lang": "en", text: STRINGS.en.language_name }),
  };
  const langGroup = h("div", { class: "cb-langs", role: "group" }, langButtons.th, langButtons.en);
  const newChatButton = h("button", { type: "button", class: "cb-icon-button", "data-action": "new" }, icon("restart"));
  const closeButton = h("button", { type: "button", class: "cb-icon-button", "data-action": "close" }, icon("close"));

  const log = h("div", { class: "cb-log", role: "region", tabindex: "0" });
  const typing = h(
    "div",
    { class: "cb-typing", hidden: true },
    h("span", { class: "cb-dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
    h("span", { class: "cb-sr cb-typing-text" }),
  );
  // While a request for an officer is open: what is happening, and the button to cancel it.
  const handoffStatus = h("p", { class: "cb-handoff-text" });
  const cancelButton = h("button", { type: "button", class: "cb-quick-button cb-handoff-cancel", "data-action": "cancel-handoff" });
  const handoffBar = h("div", { class: "cb-handoff", hidden: true }, handoffStatus, cancelButton);
  const officerTyping = h(
    "div",
    { class: "cb-typing cb-officer-typing", hidden: true },
    h("span", { class: "cb-dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
    h("span", { class: "cb-officer-typing-text" }),
  );
  // One polite live region, fed a short summary of each answer: a role="log" would read
  // out whole cards and the citizen's own messages as well.
  const announcer = h("div", { class: "cb-sr", "aria-live": "polite", "aria-atomic": "true" });

  const input = h("textarea", {
    id: "cb-input",
    class: "cb-input",
    rows: "1",
    maxlength: String(MAX_CHARS),
    "aria-describedby": "cb-counter cb-hint",
    autocomplete: "off",
    enterkeyhint: "send",
  });
  const inputLabel = h("label", { class: "cb-sr", for: "cb-input" });
  const counter = h("span", { id: "cb-counter", class: "cb-counter" });
  const hint = h("span", { id: "cb-hint", class: "cb-hint" });
  const sendButton = h("button", { type: "submit", class: "cb-send" }, icon("send", true), h("span", { class: "cb-send-label" }));
  const form = h(
    "form",
    { class: "cb-form", novalidate: true },
    inputLabel,
    h("div", { class: "cb-input-row" }, input, sendButton),
    h("div", { class: "cb-form-meta" }, hint, counter),
  );
  // Problem reports (issue 18): always there, so a citizen can report without finding the words.
  const reportButton = h("button", { type: "button", class: "cb-quick-button cb-report-start", "data-action": "report" });

  // The privacy notice: a visible "keep on this device" choice (off unless the citizen ticks it),
  // and what is kept where and for how long, with the agency's policy. Absent without its numbers.
  const keepBox = h("input", { type: "checkbox", id: "cb-keep", class: "cb-keep-box" });
  const keepLabel = h("label", { for: "cb-keep", class: "cb-keep-label" });
  const privacyTitle = h("summary", { class: "cb-privacy-title" });
  const privacyDevice = h("p", { class: "cb-privacy-text" });
  const privacyServer = h("p", { class: "cb-privacy-text" });
  const privacyCode = h("p", { class: "cb-privacy-text cb-privacy-code" });
  const privacyPolicy = h("p", { class: "cb-privacy-text" });
  const privacy = PRIVACY
    ? h(
        "div",
        { class: "cb-privacy" },
        h("div", { class: "cb-keep" }, keepBox, keepLabel),
        h("details", { class: "cb-privacy-details" }, privacyTitle, privacyDevice, privacyServer, privacyCode, privacyPolicy),
      )
    : null;
  keepBox.checked = keeping;
  keepBox.addEventListener("change", () => setKeeping(keepBox.checked));

  const panel = h(
    "div",
    { id: "cb-panel", class: "cb-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "cb-title", "aria-describedby": "cb-subtitle", hidden: true },
    h(
      "div",
      { class: "cb-header" },
      h("div", { class: "cb-header-row" }, h("div", { class: "cb-heading" }, title, subtitle), newChatButton, closeButton),
      langGroup,
    ),
    log,
    typing,
    officerTyping,
    handoffBar,
    h("div", { class: "cb-report-row" }, reportButton),
    form,
    privacy,
    announcer,
  );
  const root = h("aside", { class: "cb-root" }, panel, launcher);
  shadow.append(stylesheet, root);

  // ---- rendering -----------------------------------------------------------------------
  function applyStrings() {
    const t = STRINGS[state.lang];
    root.setAttribute("lang", state.lang);
    root.setAttribute("aria-label", t.region);
    launcherLabel.textContent = t.launcher;
    launcher.firstChild.replaceWith(state.open ? launcherIcons.open : launcherIcons.closed);
    title.textContent = t.title;
    reportButton.textContent = t.report_start;
    subtitle.textContent = t.subtitle;
    langGroup.setAttribute("aria-label", `${STRINGS.th.language} / ${STRINGS.en.language}`);
    for (const [code, button] of Object.entries(langButtons)) button.setAttribute("aria-pressed", String(code === state.lang));
    newChatButton.setAttribute("aria-label", t.new_chat);
    newChatButton.setAttribute("title", t.new_chat);
    closeButton.setAttribute("aria-label", t.close);
    closeButton.setAttribute("title", t.close);
    log.setAttribute("aria-label", t.log);
    typing.querySelector(".cb-typing-text").textContent = t.typing;
    officerTyping.querySelector(".cb-officer-typing-text").textContent = t.officer_typing;
    updateHandoffBar();
    inputLabel.textContent = t.input;
    input.setAttribute("placeholder", t.placeholder);
    input.setAttribute("lang", state.lang);
    hint.textContent = t.hint;
    sendButton.querySelector(".cb-send-label").textContent = t.send;
    sendButton.setAttribute("aria-label", t.send); // the visible label is hidden on phones
    updateCounter();
    updatePrivacy();
  }

  function updatePrivacy() {
    if (!privacy) return;
    const t = STRINGS[state.lang];
    keepLabel.textContent = fill(t.privacy_keep, PRIVACY);
    privacyTitle.textContent = t.privacy_title;
    privacyDevice.textContent = fill(t.privacy_device, PRIVACY);
    privacyServer.textContent = fill(t.privacy_server, PRIVACY);
    // The id an officer exports or erases the conversation by (Rasa knows web conversations as web:<id>).
    privacyCode.hidden = !state.sender;
    privacyCode.replaceChildren(t.privacy_code, " ", h("code", { text: state.sender ? `web:${state.sender}` : "" }));
    privacyPolicy.hidden = !PRIVACY.policy_url;
    privacyPolicy.replaceChildren(PRIVACY.policy_url ? externalLink(PRIVACY.policy_url, t.privacy_policy, state.lang, "cb-inline-link") : "");
  }

  function updateCounter() {
    const n = input.value.length;
    const locale = NUMBER_LOCALES[state.lang];
    counter.textContent = fill(STRINGS[state.lang].counter, {
      count: n.toLocaleString(locale),
      limit: MAX_CHARS.toLocaleString(locale),
    });
    counter.classList.toggle("cb-counter-near", n > MAX_CHARS - 100);
  }

  // Screen readers hear who said what; sighted users see it from the bubble's side and colour.
  function speaker(role) {
    return h("span", { class: "cb-sr", lang: state.lang, text: `${STRINGS[state.lang][role]} ` });
  }

  function bubble(role, lang, ...content) {
    return h("div", { class: `cb-msg cb-msg-${role}`, lang }, speaker(role === "user" ? "you" : "bot"), ...content);
  }

  /** An officer's message (with their name) or a notice from the service (officer joined, bot is back). */
  function officerBubble(entry) {
    const lang = langOf(entry.lang);
    const t = STRINGS[state.lang];
    const agent = entry.author === "agent";
    const who = agent ? (entry.name ? fill(t.officer_named, { name: entry.name }) : t.officer) : t.notice;
    return h(
      "div",
      { class: `cb-msg ${agent ? "cb-msg-agent" : "cb-msg-system"}`, lang, "data-message-id": String(entry.id || "") },
      agent
        ? h("span", { class: "cb-msg-from", lang: state.lang, text: who })
        : h("span", { class: "cb-sr", lang: state.lang, text: `${who} ` }),
      h("p", { class: "cb-text" }, linkified(entry.text, lang)),
    );
  }

  /** When the card's facts were last checked: the actions' own sentence (LINE shows the same);
   * else its last_reviewed date, where null means nobody has checked them yet. */
  function checkedLine(card, t) {
    if (str(card.last_checked_text)) return str(card.last_checked_text);
    if (str(card.last_reviewed)) return fill(t.reviewed, { date: str(card.last_reviewed) });
    return Object.prototype.hasOwnProperty.call(card, "last_reviewed") ? t.unchecked : "";
  }

  function renderCard(card) {
    const lang = langOf(card.lang);
    const t = STRINGS[lang];
    // Fields not confirmed with the agency (from the catalogue's facts); older cards name only to_verify.
    const unconfirmed = Array.isArray(card.unverified) ? card.unverified : card.to_verify;
    const toVerify = Array.isArray(unconfirmed) ? unconfirmed.map(str) : [];
    const facts = Array.isArray(card.facts) ? card.facts.filter((f) => f && str(f.value)) : [];
    const documents = Array.isArray(card.documents) ? card.documents.map(str).filter(Boolean) : [];
    const links = Array.isArray(card.links) ? card.links.filter((l) => l && safeUrl(l.url)) : [];
    const titleId = `cb-card-${Math.random().toString(36).slice(2, 10)}`;
    // The caution comes written from the actions, the same sentence LINE shows.
    const verifyNote = str(card.verify_note);
    const checked = checkedLine(card, t);

    return h(
      "article",
      { class: "cb-card", lang, "aria-labelledby": titleId, "data-service-id": str(card.service_id) },
      h("h3", { class: "cb-card-title", id: titleId, text: str(card.title) }),
      str(card.summary) ? h("p", { class: "cb-card-summary", text: str(card.summary) }) : null,
      facts.length
        ? h(
            "dl",
            { class: "cb-facts" },
            facts.map((fact) =>
              h(
                "div",
                { class: "cb-fact", "data-key": str(fact.key) },
                h(
                  "dt",
                  {},
                  str(fact.label),
                  toVerify.includes(str(fact.key)) ? h("span", { class: "cb-badge", text: t.check }) : null,
                ),
                h("dd", { text: str(fact.value) }),
              ),
            ),
          )
        : null,
      documents.length
        ? h(
            "div",
            { class: "cb-docs" },
            h("h4", { class: "cb-card-subtitle", text: t.documents }),
            h("ul", {}, documents.map((doc) => h("li", { text: doc }))),
          )
        : null,
      verifyNote ? h("p", { class: "cb-verify", text: verifyNote }) : null,
      links.length
        ? h(
            "div",
            { class: "cb-links" },
            links.map((link) => externalLink(link.url, str(link.label) || safeUrl(link.url), lang, "cb-link-button")),
          )
        : null,
      checked ? h("p", { class: "cb-meta", text: checked }) : null,
    );
  }

  function quickReplies(label, options, lang, active) {
    const usable = options.filter((o) => o && str(o.label));
    if (!active || !usable.length) return null;
    return h(
      "div",
      { class: "cb-quick", role: "group", "aria-label": label || STRINGS[lang].options, lang },
      usable.map((option) =>
        h("button", {
          type: "button",
          class: "cb-quick-button",
          text: str(option.label),
          onclick: () => send(str(option.payload) || str(option.label), str(option.label)),
        }),
      ),
    );
  }

  // With a card the bot also sends its plain-text version, for channels without cards; the
  // card shows the same facts here, so a text that opens with a card's title is left out.
  function isCardText(text, messages) {
    return messages.some(
      (m) => m && m.type === "card" && m.card && str(m.card.title) && str(text).startsWith(str(m.card.title)),
    );
  }

  function shownText(message, messages) {
    const text = str(message.text);
    return text && !isCardText(text, messages) ? text : "";
  }

  function renderBotEntry(entry, active) {
    const lang = langOf(entry.lang);
    const messages = entry.messages.filter((m) => m && typeof m === "object");
    const nodes = [];
    const groups = [];
    for (const message of messages) {
      if (message.type === "text" || message.type === "quick_replies") {
        const text = shownText(message, messages);
        if (text) nodes.push(bubble("bot", lang, h("p", { class: "cb-text" }, linkified(text, lang))));
        if (message.type === "quick_replies" && Array.isArray(message.options)) groups.push(message.options);
      } else if (message.type === "card" && message.card && typeof message.card === "object") {
        nodes.push(h("div", { class: "cb-msg cb-msg-card" }, speaker("bot"), renderCard(message.card)));
      } else if (message.type === "image" && safeUrl(message.url)) {
        nodes.push(bubble("bot", lang, externalLink(message.url, message.url, lang, "cb-inline-link")));
      } else if (message.type === "journey" && message.journey && typeof message.journey === "object") {
        // A life event's steps as a stepper (journey.js, served in front of this file); its text otherwise.
        const stepper = window.citizenbotJourney;
        nodes.push(
          stepper
            ? h(
                "div",
                { class: "cb-msg cb-msg-card" },
                speaker("bot"),
                stepper.render(message.journey, { h, send }, active),
              )
            : bubble("bot", lang, h("p", { class: "cb-text" }, linkified(str(message.journey.text), lang))),
        );
      }
    }
    // Replies go last, under the card they are about, whatever order the bot sent them in.
    for (const options of groups) nodes.push(quickReplies(STRINGS[lang].options, options, lang, active));
    // A problem report asks where it is or for a photo: the browser's location, or a photo picker.
    const asks = messages.map((m) => m.ask).filter((a) => a === "location" || a === "photo");
    if (active && asks.length) nodes.push(reportControls(asks[asks.length - 1], lang));
    return nodes;
  }

  // ---- problem reports -----------------------------------------------------------------
  let reportNote = null; // {text, lang}: why the location or photo did not go (shown under the controls)

  function reportControls(ask, lang) {
    const t = STRINGS[lang];
    const note = reportNote ? h("p", { class: "cb-report-note", role: "status", lang: reportNote.lang, text: reportNote.text }) : null;
    if (ask === "location") {
      if (!navigator.geolocation) return note;
      return h(
        "div",
        { class: "cb-report-controls" },
        h("button", { type: "button", class: "cb-quick-button cb-share-location", text: t.report_share_location, onclick: shareLocation }),
        note,
      );
    }
    const picker = h("input", { type: "file", id: "cb-photo", class: "cb-sr", accept: "image/*" });
    picker.addEventListener("change", () => {
      if (picker.files && picker.files[0]) uploadPhoto(picker.files[0]);
    });
    return h(
      "div",
      { class: "cb-report-controls" },
      picker,
      // A label, so the button is the input's name for screen readers and works with Enter/Space.
      h("label", { for: "cb-photo", class: "cb-quick-button cb-photo-label", tabindex: "0", role: "button", text: t.report_photo,
        onkeydown: (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            picker.click();
          }
        } }),
      note,
    );
  }

  function setReportNote(key, values) {
    reportNote = { text: fill(STRINGS[state.lang][key], values || {}), lang: state.lang };
    render();
    announce(reportNote.text, state.lang);
  }

  function shareLocation() {
    reportNote = null;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const location = { latitude: position.coords.latitude, longitude: position.coords.longitude };
        send("", `📍 ${STRINGS[state.lang].report_location_sent}`, { extra: { location } });
      },
      () => {
        // Refused or unavailable: the address can still be typed.
        setReportNote("report_location_denied");
        input.focus();
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  async function uploadPhoto(file) {
    reportNote = null;
    if (file.size > PHOTO_MAX_BYTES) {
      setReportNote("report_photo_too_big", { limit_mb: Math.round((PHOTO_MAX_BYTES / 1048576) * 10) / 10 });
      return;
    }
    if (!state.sender) return;
    try {
      const response = await fetch(`${API_URL}/reports/photo?sender=${encodeURIComponent(state.sender)}`, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: { "Content-Type": file.type || "application/octet-stream" },
        body: file,
      });
      if (!response.ok) {
        const notice = await refusalNotice(response);
        reportNote = { text: notice[state.lang] || STRINGS[state.lang].report_photo_failed, lang: state.lang };
        render();
        announce(reportNote.text, state.lang);
        return;
      }
      const data = await response.json();
      send("", `📷 ${STRINGS[state.lang].report_photo_sent}`, { extra: { photo_ref: str(data.photo_ref) } });
    } catch {
      setReportNote("report_photo_failed");
    }
  }

  function renderWelcome() {
    const t = STRINGS[state.lang];
    return [
      bubble("bot", state.lang, h("p", { class: "cb-text", text: t.welcome })),
      quickReplies(t.suggestions_label, t.suggestions.map((s) => ({ label: s, payload: s })), state.lang, true),
    ];
  }

  function renderError() {
    const first = state.lang;
    const second = first === "th" ? "en" : "th";
    // The gateway's own words when it refused on purpose (too many messages: wait, then retry).
    const notice = (state.failed && state.failed.notice) || {};
    return h(
      "div",
      { class: "cb-msg cb-msg-error", role: "alert" },
      h("p", { class: "cb-text", lang: first, text: notice[first] || STRINGS[first].error }),
      h("p", { class: "cb-text", lang: second, text: notice[second] || STRINGS[second].error }),
      h("button", { type: "button", class: "cb-quick-button", text: STRINGS[state.lang].retry, onclick: retry }),
    );
  }

  function render() {
    const nodes = [];
    if (!state.history.length) nodes.push(...renderWelcome());
    const last = state.history.length - 1;
    lastQuestion = null;
    state.history.forEach((entry, i) => {
      if (entry.role === "user") {
        lastQuestion = bubble("user", langOf(entry.lang), h("p", { class: "cb-text", text: entry.text }));
        nodes.push(lastQuestion);
      } else if (entry.role === "officer") {
        lastQuestion = null; // an officer's message is short: show the newest at the bottom
        nodes.push(officerBubble(entry));
      } else {
        // Only the newest answer's quick replies still make sense to press.
        nodes.push(...renderBotEntry(entry, i === last));
      }
    });
    if (state.failed) nodes.push(renderError());
    log.replaceChildren(...nodes.filter(Boolean));
    updatePrivacy(); // the conversation code changes with the conversation
    scrollToEnd();
  }

  let lastQuestion = null;

  // A long answer (a card) is read from its top: keep the question that asked for it in
  // view rather than jumping to the end. Short answers simply end up at the bottom.
  function scrollToEnd() {
    log.scrollTop = lastQuestion ? lastQuestion.offsetTop - 12 : log.scrollHeight;
  }

  function announce(text, lang) {
    // Emptied first so the same words said twice are still read out.
    announcer.textContent = "";
    announcer.setAttribute("lang", lang);
    window.setTimeout(() => {
      announcer.textContent = text;
    }, 100);
  }

  function summary(entry) {
    const lang = langOf(entry.lang);
    const parts = [];
    const messages = entry.messages.filter((m) => m && typeof m === "object");
    for (const message of messages) {
      if (message.type === "text" || message.type === "quick_replies") parts.push(shownText(message, messages));
      if (message.type === "card" && message.card) parts.push(str(message.card.title), str(message.card.summary));
      if (message.type === "journey" && message.journey && window.citizenbotJourney) {
        parts.push(window.citizenbotJourney.summary(message.journey));
      }
    }
    return `${STRINGS[lang].bot} ${parts.filter(Boolean).join(" ")}`;
  }

  // ---- behaviour -----------------------------------------------------------------------
  function setOpen(open, { focus = true } = {}) {
    state.open = open;
    store.set("open", open);
    panel.hidden = !open;
    root.classList.toggle("cb-is-open", open);
    launcher.setAttribute("aria-expanded", String(open));
    applyStrings();
    if (open) {
      scrollToEnd();
      if (focus) input.focus();
    } else if (focus) {
      launcher.focus();
    }
  }

  /** Show the widget's own words (and everything rendered with them) in ``lang``. */
  function showLanguage(lang) {
    if (lang === state.lang) return;
    state.lang = lang;
    applyStrings();
    render();
  }

  function remember(choice) {
    state.choice = choice;
    if (choice) store.set("lang", choice);
    else store.remove("lang");
  }

  /** The switch: from now on every message asks for ``lang``. Pressed during a conversation in
   * another language, it asks the bot to confirm and say its current answer again in ``lang``. */
  function chooseLanguage(lang, { restate = true } = {}) {
    const changed = lang !== state.lang;
    remember(lang);
    showLanguage(lang);
    if (restate && changed && state.history.some((e) => e.role === "bot")) {
      send(`/change_language{"language":"${lang}"}`, STRINGS[lang].switch_request);
    }
  }

  /** An answer came in ``lang``: the widget's words follow it. When it differs from the
   * switch's choice, the citizen asked for it in words ("please answer in Thai"): that is the choice now. */
  function followAnswer(lang) {
    if (state.choice && state.choice !== lang) remember(lang);
    showLanguage(lang);
  }

  function startOver() {
    state.history = [];
    state.failed = null;
    state.sender = null; // the next message starts a fresh conversation in Rasa as well
    store.remove("sender");
    store.remove("history");
    state.handoff = { state: "none", officer: null, typing: false, after: 0 };
    store.remove("handoff");
    updateHandoffBar();
    remember(null); // and back to each message's own language
    state.lang = pageLanguage();
    applyStrings();
    render();
    input.focus();
  }

  function userLanguage(text) {
    return THAI.test(text) ? "th" : "en";
  }

  function cleanMessages(messages) {
    // Only what the renderer understands is kept (and stored), as plain JSON values.
    return messages.filter((m) => m && typeof m === "object" && typeof m.type === "string").map((m) => JSON.parse(JSON.stringify(m)));
  }

  class RefusedError extends Error {
    constructor(notice) {
      super("refused");
      this.notice = notice;
    }
  }

  async function refusalNotice(response) {
    // {"error": {"details": {"messages": {"th": ..., "en": ...}}}}; only strings are shown, as text.
    try {
      const messages = (await response.json()).error.details.messages;
      return { th: str(messages.th), en: str(messages.en) };
    } catch {
      return {};
    }
  }

  async function ask(text, extra) {
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    const body = state.sender ? { sender: state.sender, text, ...(extra || {}) } : { text, ...(extra || {}) };
    if (state.choice) body.language = state.choice; // only once the citizen pressed the switch
    try {
      const response = await fetch(API_URL, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      if (response.status === 429) throw new RefusedError(await refusalNotice(response));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const data = await response.json();
      const issued = validSender(data && data.sender); // the id to send next (a new one if ours was refused)
      if (issued) {
        state.sender = issued;
        store.set("sender", issued);
      }
      // An officer holds the conversation: the message reached them, and the bot stays silent.
      if (data && data.status === "with_officer") return { role: "held", lang: langOf(data.language), messages: [] };
      // "degraded": Rasa is down and the catalogue answered alone; its first message is the notice saying so.
      const answered = data && (data.status === "ok" || data.status === "degraded");
      if (!answered || !Array.isArray(data.messages)) throw new Error(`status ${data && data.status}`);
      return { role: "bot", lang: langOf(data.language), messages: cleanMessages(data.messages) };
    } finally {
      window.clearTimeout(timer);
    }
  }

  async function send(text, display, { isRetry = false, extra = null } = {}) {
    const message = str(text).trim();
    if (state.pending || (!message && !extra) || message.length > MAX_CHARS) return;
    reportNote = null;
    const shown = str(display).trim() || message;
    if (!isRetry) state.history.push({ role: "user", text: shown, lang: userLanguage(shown) });
    state.failed = null;
    saveHistory();
    render();
    state.pending = true;
    form.setAttribute("aria-busy", "true");
    sendButton.disabled = true;
    typing.hidden = state.handoff.state === "with_officer"; // the officer answers, not the assistant
    scrollToEnd();
    try {
      const entry = await ask(message, extra);
      if (entry.role === "held") {
        setHandoffState("with_officer");
      } else {
        state.history.push(entry);
        saveHistory();
        followAnswer(entry.lang);
        render();
        announce(summary(entry), entry.lang);
      }
      // Asked only when there is something to ask about: a request is open, the bot just took one
      // (its reply offers the desk's commands), or the officer holds the conversation.
      if (entry.role === "held" || handoffOpen() || offersHandoff(entry.messages)) checkHandoff();
    } catch (error) {
      state.failed = { text: message, display: shown, extra, notice: error instanceof RefusedError ? error.notice : null };
      render(); // the error bubble is role="alert", so it is read out by itself
    } finally {
      state.pending = false;
      form.removeAttribute("aria-busy");
      sendButton.disabled = false;
      typing.hidden = true;
    }
    // Quick-reply and retry buttons are gone now: keep keyboard users in the panel.
    if (state.open && !panel.contains(shadow.activeElement)) input.focus();
  }

  function retry() {
    if (state.failed) send(state.failed.text, state.failed.display, { isRetry: true, extra: state.failed.extra || null });
  }

  function submitInput() {
    const text = input.value;
    if (!text.trim() || state.pending) return;
    input.value = "";
    autosize();
    updateCounter();
    send(text);
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  // ---- hand-off to an officer -------------------------------------------------------------
  let handoffTimer = null;
  let handoffBusy = false;

  const handoffOpen = () => HANDOFF_OPEN.includes(state.handoff.state);

  /** A reply with the desk's buttons (/handoff_cancel, /handoff_contact): the bot has just passed the
   * conversation to the officers' queue. */
  function offersHandoff(messages) {
    return (messages || []).some(
      (m) => m && Array.isArray(m.options) && m.options.some((o) => o && /^\/handoff_/.test(str(o.payload))),
    );
  }

  function updateHandoffBar() {
    const t = STRINGS[state.lang];
    const now = state.handoff.state;
    const open = HANDOFF_OPEN.includes(now);
    handoffBar.hidden = !open;
    officerTyping.hidden = !(open && state.handoff.typing);
    if (!open) return;
    if (now === "waiting") handoffStatus.textContent = t.handoff_waiting;
    else if (state.handoff.officer) handoffStatus.textContent = fill(t.handoff_with_officer, { name: state.handoff.officer });
    else handoffStatus.textContent = t.handoff_with_officer_unnamed;
    cancelButton.textContent = now === "waiting" ? t.handoff_cancel : t.handoff_end;
  }

  function setHandoffState(now) {
    if (state.handoff.state === now) return;
    state.handoff.state = now;
    if (!HANDOFF_OPEN.includes(now)) state.handoff.typing = false;
    saveHandoff();
    updateHandoffBar();
  }

  /** What GET /api/chat/handoff said: new officer/system messages into the conversation, the state, typing. */
  function applyHandoff(data) {
    if (!data || typeof data !== "object") return;
    const messages = Array.isArray(data.messages) ? data.messages : [];
    const shown = new Set(state.history.filter((e) => e.role === "officer").map((e) => e.id));
    const added = [];
    for (const message of messages) {
      const id = Number(message && message.id);
      if (!Number.isInteger(id) || id <= state.handoff.after || shown.has(id)) continue;
      const author = message.author === "agent" ? "agent" : "system";
      const body = str(message.text);
      if (!body) continue;
      const entry = { role: "officer", id, author, text: body, lang: userLanguage(body) };
      if (author === "agent" && (data.officer || state.handoff.officer)) entry.name = str(data.officer || state.handoff.officer);
      added.push(entry);
    }
    for (const message of messages) {
      const id = Number(message && message.id);
      if (Number.isInteger(id) && id > state.handoff.after) state.handoff.after = id;
    }
    if (typeof data.officer === "string" && data.officer) state.handoff.officer = data.officer;
    // The reply that was being typed is here: the dots go now, not when the server's few seconds end.
    state.handoff.typing = data.typing === true && !added.some((entry) => entry.author === "agent");
    const now = typeof data.state === "string" ? data.state : state.handoff.state;
    state.handoff.state = now;
    if (!HANDOFF_OPEN.includes(now)) state.handoff.typing = false;
    saveHandoff();
    if (added.length) {
      state.history.push(...added);
      saveHistory();
      render();
      const last = added[added.length - 1];
      const t = STRINGS[state.lang];
      announce(`${last.author === "agent" ? t.officer : t.notice} ${last.text}`, last.lang);
    }
    updateHandoffBar();
  }

  function scheduleHandoff() {
    window.clearTimeout(handoffTimer);
    handoffTimer = null;
    if (HANDOFF_OPEN.includes(state.handoff.state)) handoffTimer = window.setTimeout(checkHandoff, HANDOFF_POLL_MS);
  }

  /** One look at the request for an officer (then every 2 s while it is open). */
  async function checkHandoff() {
    if (!state.sender || handoffBusy) return;
    handoffBusy = true;
    window.clearTimeout(handoffTimer);
    const sender = state.sender;
    const url = `${API_URL}/handoff?sender=${encodeURIComponent(sender)}&after=${state.handoff.after}`;
    try {
      const response = await fetch(url, { method: "GET", mode: "cors", credentials: "omit" });
      if (sender !== state.sender) return; // the citizen started over meanwhile
      if (response.status === 404) {
        setHandoffState("none"); // a conversation the gateway no longer knows
      } else if (response.ok) {
        applyHandoff(await response.json());
      }
    } catch {
      // offline for a moment: the next look catches up (the cursor is kept)
    } finally {
      handoffBusy = false;
      scheduleHandoff();
    }
  }

  async function cancelHandoff() {
    if (!state.sender) return;
    cancelButton.disabled = true;
    try {
      const response = await fetch(`${API_URL}/handoff/cancel`, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: state.sender }),
      });
      if (response.ok) {
        const data = await response.json().catch(() => null);
        if (data && typeof data.state === "string") setHandoffState(data.state);
        if (data && data.state === "cancelled") {
          // The gateway sends no notice for the citizen's own act: the widget says it was done.
          const said = STRINGS[state.lang].handoff_cancelled;
          state.history.push({ role: "officer", id: 0, author: "system", text: said, lang: state.lang });
          saveHistory();
          render();
          announce(said, state.lang);
        }
      }
    } catch {
      // the bar stays: the citizen can press again
    } finally {
      cancelButton.disabled = false;
    }
    await checkHandoff();
    input.focus();
  }

  // --- Report notices (issue 18; the "delivery" part): what became of the citizen's reports. -------
  // GET /api/chat/reports/notices answers each notice once (the gateway marks it delivered), so the
  // widget shows what it gets as the bot's messages. Every 10 s while the page is visible and there
  // is a conversation; a failed poll is simply the next one's job.
  const REPORT_NOTICES_POLL_MS = 10000;
  let reportNoticesBusy = false;
  async function pollReportNotices() {
    if (!state.sender || reportNoticesBusy || document.visibilityState === "hidden") return;
    reportNoticesBusy = true;
    const sender = state.sender;
    try {
      const url = `${API_URL}/reports/notices?sender=${encodeURIComponent(sender)}`;
      const response = await fetch(url, { method: "GET", mode: "cors", credentials: "omit" });
      if (!response.ok || sender !== state.sender) return;
      const data = await response.json().catch(() => null);
      const notices = data && Array.isArray(data.notices) ? data.notices : [];
      const said = notices.map((n) => str(n && n.text)).filter(Boolean);
      if (!said.length) return;
      const lang = userLanguage(said[0]);
      state.history.push({ role: "bot", lang, messages: cleanMessages(said.map((text) => ({ type: "text", text }))) });
      saveHistory();
      render();
      announce(said.join(" "), lang);
    } catch {
      // offline for a moment: the notices wait on the server
    } finally {
      reportNoticesBusy = false;
    }
  }
  window.setInterval(pollReportNotices, REPORT_NOTICES_POLL_MS);
  // --- end of report notices ------------------------------------------------------------------

  // --- Reminders (issue 17): those a web-only citizen opted into, once due. ----------------------
  // GET /api/chat/reminders answers each reminder once (the gateway marks it sent); each comes with
  // the language it was set in and messages as /api/chat answers them (a text and a quick reply).
  let remindersBusy = false;
  async function pollReminders() {
    if (!state.sender || remindersBusy || document.visibilityState === "hidden") return;
    remindersBusy = true;
    const sender = state.sender;
    try {
      const url = `${API_URL}/reminders?sender=${encodeURIComponent(sender)}`;
      const response = await fetch(url, { method: "GET", mode: "cors", credentials: "omit" });
      if (!response.ok || sender !== state.sender) return;
      const data = await response.json().catch(() => null);
      const reminders = data && Array.isArray(data.reminders) ? data.reminders : [];
      for (const reminder of reminders) {
        const messages = cleanMessages(Array.isArray(reminder && reminder.messages) ? reminder.messages : []);
        if (!messages.length) continue;
        const lang = reminder.language === "en" ? "en" : "th";
        state.history.push({ role: "bot", lang, messages });
        announce(messages.map((m) => str(m.text)).join(" "), lang);
      }
      if (reminders.length) {
        saveHistory();
        render();
      }
    } catch {
      // offline for a moment: the reminders wait on the server
    } finally {
      remindersBusy = false;
    }
  }
  window.setInterval(pollReminders, REPORT_NOTICES_POLL_MS);
  // --- end of reminders -----------------------------------------------------------------------

  cancelButton.addEventListener("click", cancelHandoff);
  // The label says the words after the command, so the desk answers in the widget's language.
  reportButton.addEventListener("click", () => send(`/report_problem ${STRINGS[state.lang].report_start}`, STRINGS[state.lang].report_start));
  launcher.addEventListener("click", () => setOpen(!state.open));
  closeButton.addEventListener("click", () => setOpen(false));
  newChatButton.addEventListener("click", startOver);
  for (const [code, button] of Object.entries(langButtons)) button.addEventListener("click", () => chooseLanguage(code));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      setOpen(false);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitInput();
  });
  input.addEventListener("keydown", (event) => {
    // isComposing: Enter that confirms an IME candidate must not send the message.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitInput();
    }
  });
  input.addEventListener("input", () => {
    // maxlength stops typing and pasting; this catches text set by scripts and extensions.
    if (input.value.length > MAX_CHARS) input.value = input.value.slice(0, MAX_CHARS);
    updateCounter();
    autosize();
  });

  function mount() {
    document.body.append(host);
    applyStrings();
    render();
    // A panel left open stays open after a reload, but does not grab the page's focus.
    setOpen(state.open, { focus: false });
    // After a reload: an officer's messages sent meanwhile, and whether one still holds the conversation.
    if (handoffOpen() || state.history.some((e) => e.role === "bot" && offersHandoff(e.messages))) checkHandoff();
  }

  window.citizenbotWidget = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    // The host page's choice counts as the switch's, but it does not speak for the citizen.
    setLanguage: (lang) => chooseLanguage(langOf(lang), { restate: false }),
  };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
})();
