/* Web widget of the administrative procedures assistant (trợ lý thủ tục hành chính).
 *
 * Embed with one tag; the server that serves this file also answers its API:
 *   <script src="https://HOST/widget.js" data-unit="UNIT-CODE" data-desk="DESK" data-lang="vi"></script>
 * Optional: data-mode="kiosk" (full screen, always open) or data-open="true" (start opened).
 * A page URL with ?survey=TOKEN opens the satisfaction survey of that invitation.
 *
 * Everything the assistant says is put on the page with textContent, never as HTML; links become
 * <a> elements only for http(s) URLs. Plain ES2017, no dependencies, no build step.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__tthcWidgetLoaded) return;
  window.__tthcWidgetLoaded = true;

  var BASE = new URL(".", script.src).href; // where widget.js, its CSS and the API live
  var STORE = "tthc-widget:";
  var MAX_HISTORY = 200;
  var REQUEST_TIMEOUT_MS = 45000;
  var SURVEY_TOKEN = /^[A-Za-z0-9_-]{1,128}$/;
  var URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`]+/gi;

  var config = {
    unit: script.getAttribute("data-unit") || "",
    desk: script.getAttribute("data-desk") || "",
    lang: script.getAttribute("data-lang") === "en" ? "en" : "vi",
    mode: script.getAttribute("data-mode") === "kiosk" ? "kiosk" : "floating",
    open: script.getAttribute("data-open") === "true"
  };

  /* ---- storage (localStorage when allowed, memory otherwise) ---- */
  var memory = {};
  function load(key, fallback) {
    try {
      var raw = window.localStorage.getItem(STORE + key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return key in memory ? memory[key] : fallback;
    }
  }
  function save(key, value) {
    memory[key] = value;
    try { window.localStorage.setItem(STORE + key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function newSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var state = {
    session: load("session", null),
    history: load("history", []),
    lang: load("lang", config.lang) === "en" ? "en" : "vi",
    open: config.mode === "kiosk" || config.open || load("open", false) === true,
    busy: false,
    failed: null, // the message to send again after an error
    unit: null,
    texts: null
  };
  if (typeof state.session !== "string" || !/^[A-Za-z0-9_-]{16,64}$/.test(state.session)) {
    state.session = newSessionId();
    save("session", state.session);
  }
  if (!Array.isArray(state.history)) state.history = [];

  function t(key) { return (state.texts[state.lang] || state.texts.vi)[key] || key; }

  /* ---- DOM helpers: text only ---- */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs.text;
      else if (name === "className") node.className = attrs.className;
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function safeHref(candidate) {
    try {
      var url = new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  /* Text with its http(s) URLs as links that open in a new window without access to this page. */
  function richText(text) {
    text = String(text);
    var fragment = document.createDocumentFragment();
    var last = 0;
    text.replace(URL_IN_TEXT, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]]+$/, "");
      var href = safeHref(url);
      if (!href) return match;
      fragment.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: url });
      link.appendChild(el("span", { className: "tthc-sr", text: " " + t("link_new_window") }));
      fragment.appendChild(link);
      last = offset + url.length;
      return match;
    });
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  /* ---- building the widget ---- */
  var host = el("div", { id: "tthc-widget" });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var ui = {};

  function build() {
    root.appendChild(el("link", { rel: "stylesheet", href: BASE + "widget.css" }));
    ui.launcher = el("button", { type: "button", className: "tthc-launcher", "aria-controls": "tthc-panel",
                                 "aria-expanded": "false" });
    ui.panel = el("section", { id: "tthc-panel", className: "tthc-panel tthc-" + config.mode });
    ui.title = el("h2", { className: "tthc-title", id: "tthc-title" });
    ui.language = el("button", { type: "button", className: "tthc-tool", lang: state.lang === "vi" ? "en" : "vi" });
    ui.restart = el("button", { type: "button", className: "tthc-tool" });
    ui.close = el("button", { type: "button", className: "tthc-tool tthc-close" });
    ui.unit = el("div", { className: "tthc-unit", hidden: "" });
    ui.log = el("div", { className: "tthc-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
                         tabindex: "0" });
    ui.status = el("p", { className: "tthc-status", role: "status" });
    ui.error = el("div", { className: "tthc-error", role: "alert", hidden: "" });
    ui.form = el("form", { className: "tthc-form", novalidate: "" });
    ui.inputLabel = el("label", { "for": "tthc-input", className: "tthc-sr" });
    ui.input = el("input", { id: "tthc-input", type: "text", autocomplete: "off", maxlength: "1000", enterkeyhint: "send" });
    ui.send = el("button", { type: "submit", className: "tthc-send" });

    var tools = el("div", { className: "tthc-tools" }, [ui.language, ui.restart, config.mode === "kiosk" ? null : ui.close]);
    ui.panel.setAttribute("aria-labelledby", "tthc-title");
    ui.panel.appendChild(el("header", { className: "tthc-header" }, [ui.title, tools]));
    ui.panel.appendChild(ui.unit);
    ui.panel.appendChild(ui.log);
    ui.panel.appendChild(ui.status);
    ui.panel.appendChild(ui.error);
    ui.form.appendChild(ui.inputLabel);
    ui.form.appendChild(ui.input);
    ui.form.appendChild(ui.send);
    ui.panel.appendChild(ui.form);
    if (config.mode !== "kiosk") root.appendChild(ui.launcher);
    root.appendChild(ui.panel);
    document.body.appendChild(host);

    ui.launcher.addEventListener("click", function () { setOpen(true); });
    ui.close.addEventListener("click", function () { setOpen(false); ui.launcher.focus(); });
    ui.language.addEventListener("click", function () {
      state.lang = state.lang === "vi" ? "en" : "vi";
      save("lang", state.lang);
      render();
      ui.language.focus();
    });
    ui.restart.addEventListener("click", function () {
      if (!window.confirm(t("restart_confirm"))) return;
      state.session = newSessionId();
      state.history = [];
      state.failed = null;
      save("session", state.session);
      save("history", state.history);
      render();
      ui.input.focus();
    });
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = ui.input.value.trim();
      if (!text) { showStatus(t("empty_message")); return; }
      if (state.busy) return;
      ui.input.value = "";
      send(text, text);
    });
    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && state.open && config.mode !== "kiosk") {
        setOpen(false);
        ui.launcher.focus();
      }
    });
  }

  function setOpen(open) {
    state.open = open;
    if (config.mode !== "kiosk") save("open", open);
    ui.panel.hidden = !open;
    ui.launcher.hidden = open;
    ui.launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      ui.log.scrollTop = ui.log.scrollHeight;
      ui.input.focus();
    }
  }

  function renderUnit() {
    ui.unit.textContent = "";
    var unit = state.unit;
    if (!unit) { ui.unit.hidden = true; return; }
    var english = state.lang === "en";
    var name = english && unit.name_en ? unit.name_en : unit.name;
    var hours = english && unit.office_hours_en ? unit.office_hours_en : unit.office_hours;
    var phone = String(unit.hotline).replace(/[^0-9+]/g, "").slice(0, 15);
    var hotline = phone.length >= 3 ? el("a", { href: "tel:" + phone, text: unit.hotline }) : document.createTextNode(unit.hotline);
    // hours and phone always in sight (the summary); name, dialable number and address one click away
    var details = el("details", {}, [
      el("summary", { text: t("office_hours") + ": " + hours + " · " + t("hotline") + ": " + unit.hotline }),
      el("dl", {}, [
        el("dt", { text: t("contact") }), el("dd", { text: name }),
        el("dt", { text: t("hotline") }), el("dd", {}, [hotline]),
        el("dt", { text: t("address") }), el("dd", { text: unit.address })
      ])
    ]);
    if (config.mode === "kiosk") details.open = true;
    ui.unit.appendChild(details);
    ui.unit.hidden = false;
  }

  function messageNode(entry, index, lastUser) {
    var mine = entry.who === "user";
    var item = el("div", { className: "tthc-msg " + (mine ? "tthc-user" : "tthc-bot") });
    item.appendChild(el("span", { className: "tthc-sr", text: (mine ? t("you") : t("assistant")) + ": " }));
    var body = el("span", { className: "tthc-text" });
    body.appendChild(richText(entry.text || ""));
    item.appendChild(body);
    // buttons answer the latest question only: once the citizen says something, older ones go
    if (!mine && entry.buttons && entry.buttons.length && index > lastUser) {
      var group = el("div", { className: "tthc-choices", role: "group", "aria-label": t("choices") });
      entry.buttons.forEach(function (button) {
        var choice = el("button", { type: "button", className: "tthc-choice", text: button.title });
        choice.addEventListener("click", function () {
          if (state.busy) return;
          send(button.payload, button.title);
          ui.input.focus();
        });
        group.appendChild(choice);
      });
      item.appendChild(group);
    }
    return item;
  }

  function renderLog() {
    ui.log.textContent = "";
    ui.log.appendChild(messageNode({ who: "bot", text: t("welcome") }, 0, 0));
    var lastUser = -1;
    state.history.forEach(function (entry, i) { if (entry.who === "user") lastUser = i; });
    state.history.forEach(function (entry, i) { ui.log.appendChild(messageNode(entry, i, lastUser)); });
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function render() {
    host.setAttribute("lang", state.lang);
    ui.launcher.textContent = t("open");
    ui.title.textContent = t("title");
    ui.language.textContent = t("switch_language");
    ui.language.setAttribute("aria-label", t("switch_language_label"));
    ui.language.setAttribute("lang", state.lang === "vi" ? "en" : "vi");
    ui.restart.textContent = t("restart");
    ui.close.textContent = "×";
    ui.close.setAttribute("aria-label", t("close"));
    ui.log.setAttribute("aria-label", t("log_label"));
    ui.inputLabel.textContent = t("input_label");
    ui.input.setAttribute("placeholder", t("placeholder"));
    ui.send.textContent = t("send");
    renderUnit();
    renderLog();
    renderError();
    ui.panel.hidden = !state.open;
    ui.launcher.hidden = state.open;
    ui.launcher.setAttribute("aria-expanded", String(state.open));
  }

  function showStatus(text) { ui.status.textContent = text || ""; }

  function renderError() {
    ui.error.textContent = "";
    if (!state.failed) { ui.error.hidden = true; return; }
    var retry = el("button", { type: "button", className: "tthc-retry", text: t("retry") });
    retry.addEventListener("click", function () {
      var failed = state.failed;
      state.failed = null;
      renderError();
      post(failed.message);
      ui.input.focus();
    });
    ui.error.appendChild(el("span", { text: state.failed.reason + " " }));
    ui.error.appendChild(retry);
    ui.error.hidden = false;
  }

  function remember(entry) {
    state.history.push(entry);
    if (state.history.length > MAX_HISTORY) state.history = state.history.slice(-MAX_HISTORY);
    save("history", state.history);
  }

  /* ---- talking to the server ---- */
  function send(message, shownAs) {
    remember({ who: "user", text: shownAs });
    state.failed = null;
    renderLog();
    renderError();
    post(message);
  }

  function post(message) {
    state.busy = true;
    showStatus(t("waiting"));
    ui.panel.setAttribute("aria-busy", "true");
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS) : null;
    fetch(BASE + "api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session: state.session, message: message, unit: config.unit || undefined,
                             desk: config.desk || undefined, language: state.lang }),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok || !data || !Array.isArray(data.messages)) {
          var failure = new Error((data && data.message) || t("error_network"));
          failure.retryable = response.status >= 500 || response.status === 429;
          throw failure;
        }
        return data.messages;
      });
    }).then(function (messages) {
      if (!messages.length) messages = [{ text: t("no_answer"), buttons: [] }];
      messages.forEach(function (m) {
        var buttons = (Array.isArray(m.buttons) ? m.buttons : []).filter(function (b) {
          return b && typeof b.title === "string" && typeof b.payload === "string";
        }).map(function (b) { return { title: b.title, payload: b.payload }; });
        var text = typeof m.text === "string" ? m.text : "";
        if (typeof m.image === "string" && safeHref(m.image)) text = (text + "\n" + m.image).trim();
        remember({ who: "bot", text: text, buttons: buttons });
      });
      renderLog();
    }).catch(function (error) {
      var known = error && error.message && error.name !== "AbortError" && error.name !== "TypeError";
      state.failed = { message: message, reason: known ? error.message : t("error_network") };
      renderError();
    }).then(function () {
      if (timer) clearTimeout(timer);
      state.busy = false;
      showStatus("");
      ui.panel.removeAttribute("aria-busy");
    });
  }

  /* A survey invitation (?survey=TOKEN) opens the survey once per token. */
  function startSurveyFromUrl() {
    var token = new URLSearchParams(window.location.search).get("survey");
    if (!token || !SURVEY_TOKEN.test(token)) return;
    var started = load("surveys", []);
    if (!Array.isArray(started)) started = [];
    if (started.indexOf(token) !== -1) return;
    save("surveys", started.concat([token]).slice(-20));
    setOpen(true);
    send("/start_rating" + JSON.stringify({ survey_token: token }), t("rating_started"));
  }

  function getJson(path) {
    return fetch(BASE + path).then(function (response) {
      if (!response.ok) throw new Error(path + ": HTTP " + response.status);
      return response.json();
    });
  }

  function start() {
    getJson("widget-messages.json").then(function (texts) {
      state.texts = texts;
      build();
      render();
      startSurveyFromUrl();
      if (config.unit) {
        getJson("api/units/" + encodeURIComponent(config.unit)).then(function (unit) {
          state.unit = unit;
          renderUnit();
        }).catch(function () { /* unknown unit: no contact panel */ });
      }
    }).catch(function (error) {
      if (window.console) window.console.warn("tthc widget not loaded:", error);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
