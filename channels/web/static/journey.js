/*!
 * citizenbot widget: a life event's journey as a stepper (served in front of widget.js, which calls it).
 *
 * The gateway sends {"type": "journey", "journey": {...}} (conversation/citizens/journey_view.py):
 * the steps in order with their state, deadline and due date, the next step, and every button's
 * words and command, in the answer's language. This draws it as an ordered list: each step says
 * whether it is done, the next one is marked (aria-current="step"), and its buttons send the step's
 * command through the widget's own send(), so a tick is an ordinary chat message.
 *
 * Only the newest answer's buttons are live (as with quick replies): an older stepper may be out
 * of date. Text goes in as text nodes only (the widget's h()).
 */
(() => {
  "use strict";

  if (window.citizenbotJourney) return;

  const str = (value) => (typeof value === "string" ? value : value == null ? "" : String(value));
  let counter = 0;

  function stepNode(step, tools, active) {
    const { h, send } = tools;
    const labels = step.labels || {};
    const commands = step.commands || {};
    const done = Boolean(step.done);
    const deadline = step.deadline && typeof step.deadline === "object" ? step.deadline : null;
    const titleId = `cb-step-${(counter += 1)}`;
    const deadlineText = deadline
      ? [str(deadline.text) + (step.unverified ? "*" : ""), str(step.due_text)].filter(Boolean).join(" · ")
      : "";
    const classes = ["cb-step", done ? "cb-step-done" : "", step.next ? "cb-step-next" : ""].filter(Boolean);
    return h(
      "li",
      {
        class: classes.join(" "),
        "data-service-id": str(step.service),
        "data-state": done ? "done" : "todo",
        "aria-labelledby": titleId,
        "aria-current": step.next ? "step" : null,
      },
      h("span", { class: "cb-step-marker", "aria-hidden": "true", text: done ? "✓" : str(step.number) }),
      h(
        "div",
        { class: "cb-step-body" },
        h(
          "p",
          { class: "cb-step-head" },
          h("span", { class: "cb-step-number", text: str(step.number_text) }),
          h("span", { class: `cb-step-state${done ? " cb-step-state-done" : ""}`, text: str(step.state_text) }),
          step.next ? h("span", { class: "cb-step-badge", text: str(tools.nextBadge) }) : null,
        ),
        h("h4", { class: "cb-step-title", id: titleId, text: str(step.title) }),
        deadlineText
          ? h("p", { class: `cb-step-deadline${step.overdue ? " cb-step-overdue" : ""}`, text: deadlineText })
          : null,
        str(step.why) ? h("p", { class: "cb-step-why", text: str(step.why) }) : null,
        active
          ? h(
              "div",
              { class: "cb-step-actions" },
              str(commands.toggle)
                ? h("button", {
                    type: "button",
                    class: `cb-step-toggle${done ? " cb-step-toggle-undo" : ""}`,
                    "aria-label": str(labels.toggle_long) || null,
                    text: str(labels.toggle),
                    onclick: () => send(str(commands.toggle), str(labels.toggle_long) || str(labels.toggle)),
                  })
                : null,
              str(commands.open)
                ? h("button", {
                    type: "button",
                    class: "cb-step-open",
                    "aria-describedby": titleId,
                    text: str(labels.open),
                    onclick: () => send(str(commands.open), str(step.title)),
                  })
                : null,
            )
          : null,
      ),
    );
  }

  /** The journey as a <section> with its ordered steps; ``tools``: the widget's h() and send(). */
  function render(journey, tools, active) {
    const { h, send } = tools;
    const lang = journey.lang === "en" ? "en" : "th";
    const labels = journey.labels || {};
    const commands = journey.commands || {};
    const steps = Array.isArray(journey.steps) ? journey.steps.filter((s) => s && typeof s === "object") : [];
    const titleId = `cb-journey-${(counter += 1)}`;
    const when = str(journey.event_date_text) || str(journey.date_hint);
    const stepTools = { h, send, nextBadge: labels.next_badge };
    const actions = [];
    if (active && !journey.event_date && str(commands.start)) {
      actions.push(
        h("button", {
          type: "button",
          class: "cb-quick-button",
          text: str(labels.start),
          onclick: () => send(str(commands.start), str(labels.start)),
        }),
      );
    }
    if (active && str(commands.my_journeys)) {
      actions.push(
        h("button", {
          type: "button",
          class: "cb-quick-button",
          text: str(labels.my_journeys),
          onclick: () => send(str(commands.my_journeys), str(labels.my_journeys)),
        }),
      );
    }
    return h(
      "section",
      { class: "cb-journey", lang, "aria-labelledby": titleId, "data-journey-id": str(journey.id) },
      h("h3", { class: "cb-card-title", id: titleId, text: str(journey.title) }),
      str(journey.summary) ? h("p", { class: "cb-card-summary", text: str(journey.summary) }) : null,
      h("p", { class: "cb-journey-progress", text: str(journey.progress_text) }),
      str(journey.next_text) ? h("p", { class: "cb-journey-next", text: str(journey.next_text) }) : null,
      when ? h("p", { class: "cb-meta", text: when }) : null,
      h(
        "ol",
        { class: "cb-steps" },
        steps.map((step) => stepNode(step, stepTools, active)),
      ),
      str(journey.unchecked_note) ? h("p", { class: "cb-verify", text: str(journey.unchecked_note) }) : null,
      actions.length ? h("div", { class: "cb-journey-actions" }, actions) : null,
    );
  }

  /** What a screen reader hears when the journey arrives. */
  function summary(journey) {
    return [str(journey.title), str(journey.progress_text), str(journey.next_text)].filter(Boolean).join(" ");
  }

  window.citizenbotJourney = { render, summary };
})();
