// #/login — the sign-in page. #/login?next=/meetings/7/tablet returns there afterwards;
// ?reason=expired|signed_out shows a short notice.

import { h, emblem } from "../dom.js";
import { errorMessage, formatDate, formatTime, t, translateDom } from "../i18n.js";
import { createLangSwitch } from "../lang-switch.js";
import { registerView } from "../router.js";
import { login } from "../session.js";

const NOTICES = { expired: "login.session_expired", signed_out: "login.signed_out" };

function safeNext(next) {
  // Only in-app hash paths: never an absolute URL.
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

function renderLogin(ctx) {
  const langSwitch = createLangSwitch();
  ctx.onCleanup(langSwitch.destroy);

  const alert = h("div", { class: "alert alert-error", role: "alert", hidden: true, id: "login-error" });
  const noticeKey = NOTICES[ctx.query.reason];
  const notice = noticeKey ? h("div", { class: "alert alert-info", role: "status", i18n: noticeKey }) : null;

  const username = h("input", {
    id: "login-username",
    name: "username",
    type: "text",
    class: "input",
    autocomplete: "username",
    autocapitalize: "none",
    autocorrect: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": "login-error",
  });
  const password = h("input", {
    id: "login-password",
    name: "password",
    type: "password",
    class: "input",
    autocomplete: "current-password",
    required: true,
    "aria-describedby": "login-error",
  });
  const toggleText = h("span", { i18n: "login.show_password" });
  const toggle = h(
    "button",
    {
      type: "button",
      class: "btn btn-ghost password-toggle",
      "aria-controls": "login-password",
      "aria-pressed": "false",
      i18nAttr: { "aria-label": "login.show_password_label" },
      on: { click: togglePassword },
    },
    eyeIcon(),
    toggleText,
  );
  const submitLabel = h("span", { i18n: "login.submit" });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-lg btn-block" }, submitLabel);

  const form = h(
    "form",
    { class: "login-form", novalidate: true, on: { submit: onSubmit } },
    h("h2", { class: "login-heading", i18n: "login.heading" }),
    notice,
    alert,
    h(
      "div",
      { class: "field" },
      h("label", { for: "login-username", class: "label", i18n: "login.username" }),
      username,
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "login-password", class: "label", i18n: "login.password" }),
      h("div", { class: "password-field" }, password, toggle),
    ),
    submit,
  );

  ctx.root.append(
    h(
      "div",
      { class: "login-page" },
      h("div", { class: "login-topbar" }, langSwitch.element),
      h(
        "div",
        { class: "login-card" },
        h(
          "header",
          { class: "login-brand" },
          emblem(72),
          h("h1", { class: "login-title", i18n: "app.name" }),
          h("p", { class: "login-tagline", i18n: "app.tagline" }),
        ),
        form,
        h("p", { class: "login-help", i18n: "login.help" }),
      ),
    ),
  );
  translateDom(ctx.root);

  let lastError = null;
  function showError(error) {
    lastError = error;
    if (!error) {
      alert.hidden = true;
      alert.textContent = "";
      return;
    }
    let text;
    if (error.code === "missing_fields") {
      text = t("login.missing_fields");
    } else if (error.code === "account_locked" && error.details && error.details.locked_until) {
      const until = error.details.locked_until;
      const time = formatTime(until);
      text = time ? t("login.locked_until", { time, date: formatDate(until) }) : errorMessage(error);
    } else {
      text = errorMessage(error);
    }
    alert.textContent = text;
    alert.dataset.code = error.code || "generic";
    alert.hidden = false;
  }
  ctx.onLangChange(() => showError(lastError));

  function togglePassword() {
    const show = password.type === "password";
    password.type = show ? "text" : "password";
    toggle.setAttribute("aria-pressed", String(show));
    toggle.setAttribute("data-i18n-attr", `aria-label:login.${show ? "hide" : "show"}_password_label`);
    toggleText.setAttribute("data-i18n", `login.${show ? "hide" : "show"}_password`);
    translateDom(toggle);
  }

  let busy = false;
  async function onSubmit(event) {
    event.preventDefault();
    if (busy) return;
    const name = username.value.trim();
    if (!name || !password.value) {
      showError({ code: "missing_fields" });
      (name ? password : username).focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    submitLabel.setAttribute("data-i18n", "login.submitting");
    translateDom(submit);
    showError(null);
    if (notice) notice.remove();
    try {
      await login(name, password.value);
      ctx.navigate(safeNext(ctx.query.next), { replace: true });
    } catch (error) {
      showError(error);
      if (error.code === "invalid_credentials" || error.code === "account_locked") {
        password.value = "";
        password.focus();
      }
    } finally {
      busy = false;
      submit.disabled = false;
      submitLabel.setAttribute("data-i18n", "login.submit");
      translateDom(submit);
    }
  }

  // Focus the first empty field (not on touch devices: the keyboard would cover the form).
  if (!window.matchMedia("(pointer: coarse)").matches) username.focus();
}

function eyeIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "22");
  svg.setAttribute("height", "22");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS(ns, "path");
  path.setAttribute(
    "d",
    "M12 5C6.5 5 2.7 9.1 1.5 12c1.2 2.9 5 7 10.5 7s9.3-4.1 10.5-7C21.3 9.1 17.5 5 12 5zm0 11.5A4.5 4.5 0 1 1 12 7.5a4.5 4.5 0 0 1 0 9zm0-7a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z",
  );
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

registerView("/login", renderLogin, {
  name: "login",
  layout: "bare",
  public: true,
  guestOnly: true,
  titleKey: "login.title",
});
