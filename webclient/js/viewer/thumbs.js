// Thumbnail strip, virtualised: one light placeholder per page, and an <img> only for the
// placeholders near the visible part of the strip (IntersectionObserver). A 300-page
// document costs 300 empty buttons and a dozen images, not 300 image downloads.

import { h } from "../dom.js";
import { t } from "../i18n.js";

export function createThumbStrip({ onPick }) {
  const strip = h("div", { class: "dv-thumbs", role: "listbox", "aria-orientation": "horizontal" });
  let items = [];
  let observer = null;
  let current = -1;

  function load(button) {
    if (button.dataset.loaded) return;
    button.dataset.loaded = "1";
    button.append(h("img", { src: button.dataset.src, alt: "", loading: "lazy", decoding: "async", draggable: "false" }));
  }

  function setDocument(doc) {
    if (observer) observer.disconnect();
    strip.replaceChildren();
    items = [];
    current = -1;
    if (!doc) return;
    observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) if (entry.isIntersecting) load(entry.target);
      },
      { root: strip, rootMargin: "0px 400px" },
    );
    const pages = doc.pages || [];
    for (let i = 0; i < doc.page_count; i += 1) {
      const size = pages[i] || { width: 595, height: 842 };
      const button = h(
        "button",
        {
          type: "button",
          class: "dv-thumb",
          role: "option",
          "aria-label": t("docs.page_n", { n: i + 1 }),
          dataset: { index: String(i), src: `/api/documents/${doc.id}/pages/${i}/thumb.png` },
          on: { click: () => onPick(i) },
        },
        h("span", { class: "dv-thumb-no", text: String(i + 1) }),
      );
      // Reserve the page's shape so the strip does not jump while images arrive.
      button.style.aspectRatio = `${size.width} / ${size.height}`;
      items.push(button);
    }
    strip.append(...items);
    for (const item of items) observer.observe(item);
  }

  function setCurrent(index) {
    if (items[current]) items[current].setAttribute("aria-selected", "false");
    current = index;
    const item = items[index];
    if (!item) return;
    item.setAttribute("aria-selected", "true");
    const s = strip.getBoundingClientRect();
    const r = item.getBoundingClientRect();
    if (r.left < s.left || r.right > s.right) {
      strip.scrollBy({ left: r.left - s.left - s.width / 2 + r.width / 2, behavior: "smooth" });
    }
  }

  return {
    element: strip,
    setDocument,
    setCurrent,
    destroy: () => observer && observer.disconnect(),
  };
}
