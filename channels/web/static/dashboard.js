/* The citizen's dashboard page (channels/web/dashboard.py): reads /api/me with the link's token and
 * draws it; the profile form, the consent and "delete my data" call the same API. Every text is
 * inserted as text (never innerHTML); the words come from the page's config, in Thai and English. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("cb-dash-config").textContent);
  const root = document.getElementById("cb-dash");
  const KEY = "citizenbot.dashboard.token";
  const params = new URLSearchParams(location.search);
  let token = params.get("t") || sessionStorage.getItem(KEY) || "";
  if (!token) {
    location.replace("/me?t="); // no link in this tab: the server's refusal page says how to get one
    return;
  }
  if (params.get("t")) {
    sessionStorage.setItem(KEY, token);
    history.replaceState(null, "", location.pathname); // the token leaves the address bar
  }
  let lang = localStorage.getItem("citizenbot.dashboard.lang") === "en" ? "en" : "th";
  let view = null;
  let note = null; // {text, kind}: the last action's outcome
  let confirming = false;

  function t(key) {
    return config.strings[lang][key] || key;
  }

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  async function call(method, path, body) {
    const response = await fetch(`${path}${path.includes("?") ? "&" : "?"}lang=${lang}`, {
      method,
      headers: Object.assign({ Authorization: `Bearer ${token}` }, body ? { "Content-Type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined,
      credentials: "omit",
    });
    const data = await response.json().catch(() => ({}));
    return { status: response.status, data };
  }

  function until(iso) {
    const when = new Date(iso);
    const options = { timeZone: "Asia/Bangkok", hour: "2-digit", minute: "2-digit", day: "numeric", month: "short", year: "numeric" };
    return when.toLocaleString(lang === "th" ? "th-TH" : "en-GB", options);
  }

  function section(id, heading, items, empty) {
    return h(
      "section",
      { class: "cb-dash-section", "aria-labelledby": id },
      h("h2", { id, text: heading }),
      items.length ? h("ul", { class: "cb-dash-list" }, items) : h("p", { class: "cb-dash-empty", text: empty }),
    );
  }

  function journeyItem(journey) {
    return h(
      "li",
      { class: "cb-dash-journey", "data-journey": journey.id },
      h("h3", { text: journey.title }),
      h("p", { class: "cb-dash-progress", text: `${journey.progress_text} · ${journey.next_text}` }),
      journey.next_due_text ? h("p", { class: journey.overdue ? "cb-dash-due cb-overdue" : "cb-dash-due", text: journey.next_due_text }) : null,
      h(
        "ol",
        { class: "cb-dash-steps" },
        journey.steps.map((step) =>
          h("li", { class: step.done ? "cb-step-done" : "cb-step-todo" }, `${step.title} (${step.done ? t("step_done") : t("step_todo")})`, step.due_text && !step.done ? ` · ${step.due_text}` : ""),
        ),
      ),
    );
  }

  function suggestedItem(item) {
    return h(
      "li",
      { class: `cb-dash-suggested cb-standing-${item.standing}`, "data-service": item.service_id, "data-standing": item.standing },
      h("h3", { text: item.title }),
      h("p", { class: "cb-dash-standing", text: item.standing_text }),
      item.unverified_text ? h("p", { class: "cb-dash-unverified", text: item.unverified_text }) : null,
      item.office ? h("p", { class: "cb-dash-office", text: item.office }) : null,
    );
  }

  function suggestedBlock() {
    // With a profile: its shortlist and the "may be" caution; consent but nothing told: an invitation.
    if (!view.suggested.length && !view.suggested_invite && !view.profile) return null;
    const children = [h("h2", { id: "cb-suggested-h", text: t("suggested_heading") })];
    if (view.suggested.length) {
      children.push(h("p", { class: "cb-dash-caution", text: t("suggested_caution") }), h("ul", { class: "cb-dash-list" }, view.suggested.map(suggestedItem)));
    } else if (view.suggested_invite) {
      children.push(h("p", { class: "cb-dash-empty" }, h("a", { href: "#cb-profile-form", text: t("suggested_invite_web") })));
    } else children.push(h("p", { class: "cb-dash-empty", text: t("suggested_none") }));
    return h("section", { class: "cb-dash-section cb-dash-suggestions", "aria-labelledby": "cb-suggested-h" }, children);
  }

  function profileForm() {
    const profile = view.profile || {};
    const year = h("input", { id: "cb-birth-year", name: "birth_year", type: "number", inputmode: "numeric", min: "1900", max: "2600", value: profile.birth_year || "" });
    const nationality = h(
      "select",
      { id: "cb-nationality", name: "nationality" },
      ["", "thai", "foreign"].map((value) =>
        h("option", { value, selected: (profile.nationality || "") === value, text: t(value ? `nationality_${value}` : "nationality_unknown") }),
      ),
    );
    const provinceList = h("datalist", { id: "cb-provinces" }, config.provinces.map((name) => h("option", { value: name })));
    const province = h("input", { id: "cb-province", name: "province", list: "cb-provinces", value: profile.province || "", autocomplete: "off" });
    const held = new Set(profile.situations || []);
    const boxes = config.situations.map((s) =>
      h("label", { class: "cb-dash-check" }, h("input", { type: "checkbox", name: "situations", value: s.id, checked: held.has(s.id) }), ` ${s[lang]}`),
    );
    const form = h(
      "form",
      { class: "cb-dash-form", id: "cb-profile-form", novalidate: true },
      h("div", { class: "cb-dash-field" }, h("label", { for: "cb-birth-year", text: t("profile_birth_year") }), year),
      h("div", { class: "cb-dash-field" }, h("label", { for: "cb-nationality", text: t("profile_nationality") }), nationality),
      h("div", { class: "cb-dash-field" }, h("label", { for: "cb-province", text: t("profile_province") }), province, provinceList),
      h("fieldset", { class: "cb-dash-field" }, h("legend", { text: t("profile_situations") }), boxes),
      h("button", { type: "submit", class: "cb-dash-button", text: t("profile_save") }),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = {
        version: (view.profile && view.profile.version) || 0,
        birth_year: year.value.trim() ? Number(year.value) : null,
        nationality: nationality.value || null,
        province: province.value.trim() || null,
        situations: boxes.map((label) => label.querySelector("input")).filter((box) => box.checked).map((box) => box.value),
        language: lang,
      };
      const { status, data } = await call("PUT", "/api/me/profile", body);
      if (status === 200) {
        view = data;
        note = { text: t("profile_saved"), kind: "ok" };
      } else if (status === 409) {
        await load();
        note = { text: t("profile_stale"), kind: "error" };
      } else {
        const problems = (data.error && data.error.details) || [];
        const said = problems.length ? problems.map((p) => p.problem).join("; ") : (data.error && data.error.message) || "";
        note = { text: t("profile_invalid").replace("{problem}", said), kind: "error" };
      }
      draw();
    });
    return form;
  }

  function consentBlock() {
    return h(
      "section",
      { class: "cb-dash-section cb-dash-consent", "aria-labelledby": "cb-consent-h" },
      h("h2", { id: "cb-consent-h", text: t("profile_heading") }),
      h("p", { class: "cb-dash-consent-text", text: t("consent_text") }),
      h("button", {
        type: "button",
        class: "cb-dash-button",
        text: t("consent_give"),
        onclick: async () => {
          const { status, data } = await call("POST", "/api/me/consent", { purpose: "profile", language: lang });
          if (status === 200) view = data;
          else note = { text: t("error"), kind: "error" };
          draw();
        },
      }),
    );
  }

  function deleteBlock() {
    const children = [h("h2", { id: "cb-delete-h", text: t("delete_heading") }), h("p", { text: t("delete_intro") })];
    if (!confirming) {
      children.push(h("button", { type: "button", class: "cb-dash-button cb-danger", text: t("delete_button"), onclick: () => { confirming = true; draw(); } }));
    } else {
      children.push(
        h("p", { class: "cb-dash-sure", role: "alert", text: t("delete_sure") }),
        h("button", {
          type: "button",
          class: "cb-dash-button cb-danger",
          text: t("delete_confirm"),
          onclick: async () => {
            const { status } = await call("DELETE", "/api/me", { confirm: true });
            confirming = false;
            if (status === 200) {
              await load();
              note = { text: t("deleted"), kind: "ok" };
            } else note = { text: t("error"), kind: "error" };
            draw();
          },
        }),
        h("button", { type: "button", class: "cb-dash-button cb-secondary", text: t("delete_cancel"), onclick: () => { confirming = false; draw(); } }),
      );
    }
    return h("section", { class: "cb-dash-section cb-dash-delete", "aria-labelledby": "cb-delete-h" }, children);
  }

  function draw() {
    document.documentElement.lang = lang;
    document.title = t("page_title");
    const other = lang === "th" ? "en" : "th";
    const header = h(
      "header",
      { class: "cb-dash-header" },
      h("h1", { text: t("title") }),
      h("button", {
        type: "button",
        class: "cb-dash-switch",
        lang: other,
        "aria-label": config.strings[other].page_switch_label,
        text: config.strings[other].page_switch,
        onclick: async () => {
          lang = other;
          localStorage.setItem("citizenbot.dashboard.lang", lang);
          await load();
          draw();
        },
      }),
    );
    const parts = [header];
    if (view) parts.push(h("p", { class: "cb-dash-intro", text: t("page_intro").replace("{until}", until(view.expires_at)) }));
    if (note) parts.push(h("p", { class: `cb-dash-note cb-${note.kind}`, role: "status", text: note.text }));
    if (!view) {
      root.replaceChildren(...parts);
      return;
    }
    if (view.nothing_kept) parts.push(h("p", { class: "cb-dash-nothing", text: t("nothing_kept") }));
    else {
      parts.push(
        section("cb-saved-h", t("saved_heading"), view.saved.map((s) => h("li", { "data-service": s.service_id, text: s.title })), t("none_saved")),
        section("cb-journeys-h", t("journeys_heading"), view.journeys.map(journeyItem), t("none_journeys")),
        section("cb-deadlines-h", t("deadlines_heading"), view.deadlines.map((d) => h("li", { class: d.overdue ? "cb-overdue" : null, text: `${d.journey}: ${d.text}` })), t("none_deadlines")),
        section("cb-reminders-h", t("reminders_heading"), view.reminders.map((r) => h("li", { text: r.due_text })), t("none_reminders")),
        suggestedBlock(),
      );
    }
    parts.push(
      section(
        "cb-reports-h",
        t("reports_heading"),
        view.reports.map((r) => h("li", { "data-ticket": r.ticket, text: `${r.ticket} (${r.type}): ${r.status_text} · ${r.updated_text}` })),
        t("none_reports"),
      ),
    );
    if (view.consents.profile) {
      parts.push(h("section", { class: "cb-dash-section", "aria-labelledby": "cb-profile-h" }, h("h2", { id: "cb-profile-h", text: t("profile_heading") }), profileForm()));
      if (view.linked.length) {
        parts.push(section("cb-linked-h", t("linked_heading"), view.linked.map((l) => h("li", { text: t(`channel_${l.channel}`) })), ""));
      }
      parts.push(deleteBlock());
    } else parts.push(consentBlock());
    root.replaceChildren(...parts.filter(Boolean));
  }

  async function load() {
    const { status, data } = await call("GET", "/api/me");
    if (status === 200) {
      view = data;
      return;
    }
    // The link expired while the page was open, or was never ours: the server's refusal page says why.
    location.replace(`/me?t=${encodeURIComponent(token)}`);
  }

  draw();
  load().then(draw);
})();
