// Translations. Vietnamese is the default language, English the second.
//
// Catalogs: /static/i18n/<lang>.json, flat objects of dotted keys ("login.submit").
// Lookup order: current language → Vietnamese → the key itself (a missing key is visible
// and logged once, never a crash).
//
//   t("home.welcome", { name: "Nguyễn Văn A" })   → "Xin chào, Nguyễn Văn A"
//   errorMessage(err)                              → t("error.<err.code>") or t("error.generic")
//
// Markup: <span data-i18n="login.submit"></span> gets its text from the catalog;
// data-i18n-params='{"name":"…"}' supplies parameters; data-i18n-attr="placeholder:key;aria-label:key"
// translates attributes. translateDom() runs on every language change, so markup built
// this way never shows a stale language.

export const LANGUAGES = ["vi", "en"];
export const DEFAULT_LANG = "vi";
const STORAGE_KEY = "phs.lang";
const LOCALES = { vi: "vi-VN", en: "en-GB" };
// The province's clock: meeting times and lock times are shown in Vietnam time even if a
// tablet's own time zone is misconfigured.
export const APP_TIME_ZONE = "Asia/Ho_Chi_Minh";

const catalogs = {};
const listeners = new Set();
const warned = new Set();
let current = readStoredLang();

function readStoredLang() {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (LANGUAGES.includes(stored)) return stored;
  } catch {
    // Storage can be unavailable (private mode); fall back to the default.
  }
  return DEFAULT_LANG;
}

async function fetchCatalog(lang) {
  const response = await fetch(`/static/i18n/${lang}.json`, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`catalog ${lang}: HTTP ${response.status}`);
  return response.json();
}

/** Load the catalogs (Vietnamese always, plus the current language). Call once at boot. */
export async function loadCatalogs() {
  const wanted = new Set([DEFAULT_LANG, current]);
  await Promise.all(
    [...wanted].map(async (lang) => {
      catalogs[lang] = await fetchCatalog(lang);
    }),
  );
  document.documentElement.lang = current;
}

export function getLang() {
  return current;
}

export function getLocale() {
  return LOCALES[current] || LOCALES[DEFAULT_LANG];
}

/** Switch language, persist it, retranslate the page and tell subscribers. */
export async function setLang(lang) {
  if (!LANGUAGES.includes(lang) || lang === current) return;
  if (!catalogs[lang]) catalogs[lang] = await fetchCatalog(lang);
  current = lang;
  try {
    window.localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not persisted; the switch still applies to this page.
  }
  document.documentElement.lang = lang;
  translateDom(document);
  for (const listener of [...listeners]) {
    try {
      listener(lang);
    } catch (error) {
      console.error(error);
    }
  }
}

/** Subscribe to language changes; returns an unsubscribe function. */
export function onLangChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function hasKey(key) {
  return Boolean(
    (catalogs[current] && key in catalogs[current]) ||
      (catalogs[DEFAULT_LANG] && key in catalogs[DEFAULT_LANG]),
  );
}

/** Translate a key; "{name}" placeholders are replaced from params. */
export function t(key, params) {
  let text = catalogs[current]?.[key];
  if (text === undefined) text = catalogs[DEFAULT_LANG]?.[key];
  if (text === undefined) {
    if (!warned.has(key)) {
      warned.add(key);
      console.warn(`i18n: missing key "${key}"`);
    }
    return key;
  }
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (match, name) =>
    params[name] === undefined || params[name] === null ? match : String(params[name]),
  );
}

/** The user-facing message for an error carrying a `.code` (ApiError, command ack error). */
export function errorMessage(error) {
  const code = error && typeof error === "object" ? error.code : undefined;
  if (code && hasKey(`error.${code}`)) return t(`error.${code}`);
  return t("error.generic");
}

/** Date and time in the current language, Vietnam time: "17:00 30/11/2026". */
export function formatDateTime(value, options) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(getLocale(), {
    hour: "2-digit",
    minute: "2-digit",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    timeZone: APP_TIME_ZONE,
    ...options,
  }).format(date);
}

/** Time of day in the current language, Vietnam time: "17:00". */
export function formatTime(value) {
  return formatDateTime(value, { day: undefined, month: undefined, year: undefined });
}

/** Calendar date in the current language, Vietnam time: "30/11/2026". */
export function formatDate(value) {
  return formatDateTime(value, { hour: undefined, minute: undefined });
}

function parseParams(element) {
  const raw = element.getAttribute("data-i18n-params");
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Apply data-i18n / data-i18n-attr to root and everything below it. */
export function translateDom(root = document) {
  const scope = root.querySelectorAll ? root : document;
  const nodes = [];
  if (scope.nodeType === 1 && (scope.hasAttribute("data-i18n") || scope.hasAttribute("data-i18n-attr"))) {
    nodes.push(scope);
  }
  nodes.push(...scope.querySelectorAll("[data-i18n], [data-i18n-attr]"));
  for (const element of nodes) {
    const params = parseParams(element);
    const key = element.getAttribute("data-i18n");
    if (key) element.textContent = t(key, params);
    const attrs = element.getAttribute("data-i18n-attr");
    if (attrs) {
      for (const pair of attrs.split(";")) {
        const [attr, attrKey] = pair.split(":").map((part) => part && part.trim());
        if (attr && attrKey) element.setAttribute(attr, t(attrKey, params));
      }
    }
  }
}
