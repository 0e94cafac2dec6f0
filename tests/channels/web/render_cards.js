// Renders service cards with the real widget.js in Node, on a tiny stand-in for the DOM, and
// prints what a citizen would read on each card (its meta line and badges) as JSON.
//
//   node render_cards.js <configured widget.js> <cards.json>
//
// The widget draws its conversation from sessionStorage on load (where it keeps one unless the
// citizen chose to keep it on the device), so the cards are put there as
// one stored answer each: no browser, no gateway and no Rasa are needed. The stand-in knows only
// what widget.js uses while it loads and renders; the browser tests cover the real thing.
"use strict";

const fs = require("node:fs");
const vm = require("node:vm");

const [scriptPath, cardsPath] = process.argv.slice(2);
const source = fs.readFileSync(scriptPath, "utf8");
const cards = JSON.parse(fs.readFileSync(cardsPath, "utf8"));
const ORIGIN = "https://gateway.example.go.th";

class TextNode {
  constructor(text) {
    this.nodeType = 3;
    this.text = String(text);
    this.parent = null;
  }
  get textContent() {
    return this.text;
  }
}

class Element {
  constructor(tag) {
    this.tagName = String(tag).toUpperCase();
    this.nodeType = 1;
    this.children = [];
    this.attributes = {};
    this.listeners = {};
    this.className = "";
    this.hidden = false;
    this.style = {};
    this.dataset = {};
    this.value = "";
    this.scrollTop = 0;
    this.scrollHeight = 0;
    this.offsetTop = 0;
    this.parent = null;
    this.activeElement = null;
  }
  get classList() {
    const node = this;
    const names = () => node.className.split(/\s+/).filter(Boolean);
    return {
      contains: (name) => names().includes(name),
      add: (...add) => {
        node.className = [...new Set([...names(), ...add])].join(" ");
      },
      remove: (...drop) => {
        node.className = names()
          .filter((n) => !drop.includes(n))
          .join(" ");
      },
      toggle: (name, force) => {
        const on = force === undefined ? !names().includes(name) : Boolean(force);
        const others = names().filter((n) => n !== name);
        node.className = (on ? [...others, name] : others).join(" ");
        return on;
      },
    };
  }
  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }
  getAttribute(name) {
    return Object.prototype.hasOwnProperty.call(this.attributes, name) ? this.attributes[name] : null;
  }
  removeAttribute(name) {
    delete this.attributes[name];
  }
  addEventListener(type, listener) {
    (this.listeners[type] ||= []).push(listener);
  }
  removeEventListener() {}
  append(...nodes) {
    for (const node of nodes) {
      const child = typeof node === "object" && node !== null ? node : new TextNode(node);
      child.parent = this;
      this.children.push(child);
    }
  }
  replaceChildren(...nodes) {
    this.children = [];
    this.append(...nodes);
  }
  replaceWith(node) {
    if (!this.parent) return;
    const siblings = this.parent.children;
    siblings[siblings.indexOf(this)] = node;
    node.parent = this.parent;
  }
  get firstChild() {
    return this.children[0] || null;
  }
  get textContent() {
    return this.children.map((child) => child.textContent).join("");
  }
  set textContent(value) {
    this.children = [];
    this.append(String(value));
  }
  attachShadow() {
    this.shadowRoot = new Element("#shadow-root");
    return this.shadowRoot;
  }
  contains(node) {
    return node === this || this.children.some((child) => child instanceof Element && child.contains(node));
  }
  all() {
    return this.children.filter((c) => c instanceof Element).flatMap((c) => [c, ...c.all()]);
  }
  querySelectorAll(selector) {
    const name = selector.replace(/^\./, "");
    return this.all().filter((node) => node.classList.contains(name));
  }
  querySelector(selector) {
    return this.querySelectorAll(selector)[0] || null;
  }
  focus() {}
  getRootNode() {
    return this;
  }
}

function memoryStorage() {
  const storage = new Map();
  return {
    getItem: (key) => (storage.has(key) ? storage.get(key) : null),
    setItem: (key, value) => storage.set(key, String(value)),
    removeItem: (key) => storage.delete(key),
  };
}
const localStorage = memoryStorage();
const sessionStorage = memoryStorage();
const prefix = `citizenbot.widget.v1:${ORIGIN}:`;
sessionStorage.setItem(`${prefix}open`, "true");
sessionStorage.setItem(
  `${prefix}history`,
  JSON.stringify(cards.map((card) => ({ role: "bot", lang: card.lang, messages: [{ type: "card", card }] }))),
);

const body = new Element("body");
const document = {
  currentScript: { src: `${ORIGIN}/widget.js`, dataset: {} },
  scripts: [],
  baseURI: `${ORIGIN}/`,
  documentElement: { lang: "th" },
  body,
  createElement: (tag) => new Element(tag),
  createElementNS: (_ns, tag) => new Element(tag),
  addEventListener() {},
};
const window = {
  localStorage,
  sessionStorage,
  crypto: globalThis.crypto,
  setTimeout: () => 0,
  setInterval: () => 0, // the widget polls (report notices): nothing to poll in a rendering test
  clearTimeout() {},
};
const context = vm.createContext({ window, document, URL, AbortController, console });
vm.runInContext(source, context, { filename: "widget.js" });

const host = body.children[0];
const rendered = host.shadowRoot.querySelectorAll(".cb-card").map((card) => ({
  service_id: card.getAttribute("data-service-id"),
  meta: card.querySelectorAll(".cb-meta").map((node) => node.textContent),
  verify: card.querySelectorAll(".cb-verify").map((node) => node.textContent),
  badges: card
    .querySelectorAll(".cb-fact")
    .filter((fact) => fact.querySelector(".cb-badge"))
    .map((fact) => fact.getAttribute("data-key")),
}));
process.stdout.write(JSON.stringify(rendered));
