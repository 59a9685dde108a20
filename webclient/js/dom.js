// Tiny DOM builder. UI text comes from the catalogs through `i18n` (never literal strings),
// so a language switch retranslates it; string children are for user data (names, titles).
//
//   h("button", { class: "btn", i18n: "login.submit", on: { click: submit } })
//   h("p", { i18n: "home.welcome", i18nParams: { name: user.full_name } })
//   h("input", { i18nAttr: { placeholder: "login.username" }, autocomplete: "username" })
//   h("section", { class: "card" }, h("h2", { i18n: "home.my_meetings" }), list)

import { t, translateDom } from "./i18n.js";

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") {
      element.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    } else if (name === "i18n") {
      element.setAttribute("data-i18n", value);
    } else if (name === "i18nParams") {
      element.setAttribute("data-i18n-params", JSON.stringify(value));
    } else if (name === "i18nAttr") {
      element.setAttribute(
        "data-i18n-attr",
        Object.entries(value)
          .map(([attr, key]) => `${attr}:${key}`)
          .join(";"),
      );
    } else if (name === "on") {
      for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (name === "text") {
      element.textContent = value;
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  if (attrs && (attrs.i18n || attrs.i18nAttr)) translateDom(element);
  return element;
}

function append(parent, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Change the catalog key (and params) of an element built with h(..., {i18n}). */
export function setI18n(element, key, params) {
  element.setAttribute("data-i18n", key);
  if (params) element.setAttribute("data-i18n-params", JSON.stringify(params));
  else element.removeAttribute("data-i18n-params");
  element.textContent = t(key, params);
}

// Use these, not the native element.append / replaceChildren, whenever a child may be
// null or false: the native ones insert the text "null" / "false".

/** Replace all children of element (null, undefined and false children are skipped). */
export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** Append children to element (null, undefined and false children are skipped). */
export function appendChildren(element, ...children) {
  append(element, children);
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element: svg(tag, {attr: value}, ...children). h() builds HTML elements only. */
export function svg(tag, attrs = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/** A filled 24×24 icon from one path; aria-hidden, the control's text says what it does. */
export function icon(d, size = 22) {
  return svg(
    "svg",
    { viewBox: "0 0 24 24", width: size, height: size, "aria-hidden": "true", class: "icon" },
    svg("path", { d, fill: "currentColor" }),
  );
}

/** The state emblem used as the app mark: gold star on a red disc (inline SVG, no download). */
export function emblem(size = 40) {
  // Five-pointed star, outer radius 11, centred.
  const points = [];
  for (let i = 0; i < 10; i += 1) {
    const radius = i % 2 === 0 ? 11 : 4.4;
    const angle = (Math.PI / 5) * i - Math.PI / 2;
    points.push(`${(20 + radius * Math.cos(angle)).toFixed(2)},${(20.8 + radius * Math.sin(angle)).toFixed(2)}`);
  }
  return svg(
    "svg",
    { viewBox: "0 0 40 40", width: size, height: size, "aria-hidden": "true", class: "emblem" },
    svg("circle", { cx: 20, cy: 20, r: 19, class: "emblem-disc" }),
    svg("polygon", { points: points.join(" "), class: "emblem-star" }),
  );
}
