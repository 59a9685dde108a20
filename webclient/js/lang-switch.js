// VI / EN switch: two toggle buttons, the current language pressed.

import { h } from "./dom.js";
import { LANGUAGES, getLang, onLangChange, setLang } from "./i18n.js";

/** Returns {element, destroy}. */
export function createLangSwitch() {
  const buttons = LANGUAGES.map((lang) =>
    h("button", {
      type: "button",
      class: "lang-btn",
      lang,
      dataset: { lang },
      i18n: `lang.${lang}_short`,
      i18nAttr: { "aria-label": `lang.${lang}`, title: `lang.${lang}` },
      on: { click: () => setLang(lang) },
    }),
  );
  const element = h(
    "div",
    { class: "lang-switch", role: "group", i18nAttr: { "aria-label": "lang.switch_label" } },
    buttons,
  );
  const update = () => {
    for (const button of buttons) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === getLang()));
    }
  };
  update();
  const off = onLangChange(update);
  return { element, destroy: off };
}
