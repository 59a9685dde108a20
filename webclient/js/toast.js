// Short, non-blocking notices at the bottom of the screen (one live region for the page).
//
//   toast("error.network_error", { kind: "error" })          a catalog key…
//   toast(null, { text: errorMessage(err), kind: "error" })  …or a ready text

import { h } from "./dom.js";

let region = null;

function ensureRegion() {
  if (region && document.body.contains(region)) return region;
  region = h("div", { class: "toast-region", role: "status", "aria-live": "polite" });
  document.body.append(region);
  return region;
}

export function toast(key, { text, params, kind = "info", timeout = 6000 } = {}) {
  const item = h("div", {
    class: `toast toast-${kind}`,
    i18n: key || undefined,
    i18nParams: key ? params : undefined,
    text: key ? undefined : text,
  });
  ensureRegion().append(item);
  setTimeout(() => item.remove(), timeout);
  return item;
}
