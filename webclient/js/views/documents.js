// The documents panel of the meeting room (slot "presenter" of room-panels.js): the list,
// search, upload for those who manage documents, and the full-screen viewer that follows
// the presenter. Mounted by the chair console, the tablet and the projector themselves.
//
// Follow mode: while on, the viewer shows whatever the presenter shows (document, page,
// zoomed region). Turning a page, pinching or picking another document leaves follow mode;
// one tap on "Theo dõi trình chiếu" comes back. The presenter's own navigation drives the
// room (presenter.page / presenter.zoom).

import { mountAnnotations } from "../annotations/index.js";
import { api } from "../api.js";
import { h, replaceChildren, setI18n } from "../dom.js";
import { errorMessage, t } from "../i18n.js";
import { registerRoomPanel } from "../room-panels.js";
import { currentUser } from "../session.js";
import { command } from "../socket.js";
import { toast } from "../toast.js";
import { uploadDocument, progressRow } from "../viewer/upload.js";
import { createViewer, forgetDocument } from "../viewer/viewer.js";
import { runCommand } from "./room-common.js";

const css = document.createElement("link");
css.rel = "stylesheet";
css.href = "/static/css/documents.css";
document.head.append(css);

function badge(doc) {
  return h("span", { class: ["dv-badge", `dv-badge-${doc.sensitivity}`], i18n: `docs.sensitivity_${doc.sensitivity}` });
}

function mountPanel(host, { store, screen }) {
  const meetingId = store.meetingId;
  const projector = screen === "projector";
  const me = currentUser() || {};
  let info = { documents: [], can_manage: false, can_present: false };
  let follow = true;
  let open = false;
  let lastZoomSent = 0;
  let zoomTimer = null;
  let applied = ""; // the presenter state last shown, to skip repeats

  const presenterState = () => (store.state && store.state.presenter) || null;
  const iPresent = () => {
    const p = presenterState();
    return Boolean(info.can_present && p && p.presenter && p.presenter.id === me.id);
  };

  // ---------------------------------------------------------------- viewer overlay
  const viewer = createViewer({
    fit: projector ? "page" : "auto",
    onFitChange: (shown) => showFit(shown),
    thumbs: !projector,
    screen: projector ? "projector" : null,
    onNavigate: (page) => {
      if (iPresent()) {
        command("presenter.page", { meeting_id: meetingId, page });
      } else {
        setFollow(false);
      }
      renderBar();
    },
    onViewChange: () => {
      if (iPresent()) sendZoom();
      else if (presenterState()) setFollow(false);
    },
  });
  const annotations = mountAnnotations(viewer, { store, screen, meetingId }); // issue 5
  const title = h("h2", { class: "dv-title" });
  const pageNo = h("span", { class: "dv-pageno", "aria-live": "polite" });
  const followBtn = h("button", { type: "button", class: "btn btn-primary dv-follow", i18n: "docs.follow", on: { click: () => setFollow(true) } });
  const stopBtn = h("button", { type: "button", class: "btn btn-secondary", i18n: "docs.stop", on: { click: stopPresenting } });
  const downloadLink = h("a", { class: "btn btn-ghost", i18n: "docs.download" });
  // Named after what a press does: the other fit than the one shown.
  const fitBtn = h("button", { type: "button", class: "btn btn-ghost dv-fit", i18n: "docs.fit_width", dataset: { action: "fit" }, on: { click: () => viewer.toggleFit() } });
  const showFit = (shown) => setI18n(fitBtn, shown === "width" ? "docs.fit_page" : "docs.fit_width");
  // The chair presenting still sees the floor: who speaks and how many wait; a press goes
  // back to the console (the presentation goes on).
  const floorBadge = screen === "chair"
    ? h("button", { type: "button", class: "btn btn-secondary dv-floor-badge", dataset: { action: "floor" }, on: { click: closeViewer } })
    : null;
  // Ending a turn (overtime included) must never need leaving the document first.
  const endTurnBtn = screen === "chair"
    ? h("button", {
        type: "button",
        class: "btn btn-secondary dv-end-turn",
        i18n: "chair.end_turn",
        hidden: true,
        dataset: { action: "viewer-end-turn" },
        on: { click: (e) => runCommand("speaker.end", { meeting_id: meetingId }, { button: e.currentTarget, store }) },
      })
    : null;
  const toolbar = h(
    "div",
    { class: "dv-toolbar", role: "toolbar" },
    h("button", { type: "button", class: "btn btn-ghost dv-close", "aria-label": t("docs.close"), text: "✕", on: { click: closeViewer } }),
    title,
    h("div", { class: "dv-nav" },
      h("button", { type: "button", class: "btn btn-ghost", "aria-label": t("docs.previous"), text: "‹", on: { click: () => viewer.previous() } }),
      pageNo,
      h("button", { type: "button", class: "btn btn-ghost", "aria-label": t("docs.next"), text: "›", on: { click: () => viewer.next() } }),
    ),
    fitBtn,
    downloadLink,
    followBtn,
    stopBtn,
    floorBadge,
    endTurnBtn,
  );
  const overlay = h("div", { class: ["dv-overlay", projector && "dv-overlay-projector"], hidden: true }, projector ? null : toolbar, viewer.element);

  function renderBar() {
    const { doc, page } = viewer.current();
    if (!doc) return;
    title.textContent = doc.title;
    pageNo.textContent = t("docs.page_of", { n: page + 1, total: doc.page_count });
    const p = presenterState();
    followBtn.hidden = follow || !p || iPresent();
    stopBtn.hidden = !iPresent();
    downloadLink.hidden = !doc.downloadable;
    downloadLink.href = `/api/documents/${doc.id}/download`;
    overlay.dataset.follow = follow && p ? "1" : "0";
    overlay.dataset.presenting = iPresent() ? "1" : "0";
  }

  async function openViewer(docId, page, opts = {}) {
    open = true;
    overlay.hidden = false;
    document.documentElement.classList.add("dv-open");
    replaceChildren(presentingSlot);
    try {
      await viewer.show(docId, page, opts);
    } catch (error) {
      toast(null, { text: errorMessage(error), kind: "error" });
      closeViewer();
      return;
    }
    renderBar();
  }

  function closeViewer() {
    open = false;
    overlay.hidden = true;
    document.documentElement.classList.remove("dv-open");
    if (!iPresent() && presenterState()) setFollow(false);
    renderList();
  }

  function setFollow(on) {
    follow = on;
    if (on) {
      applied = "";
      applyPresenter();
    }
    renderBar();
    renderList();
  }

  function applyPresenter() {
    const p = presenterState();
    const key = p ? JSON.stringify([p.document_id, p.page, p.zoom]) : "";
    if (key === applied) return;
    applied = key;
    if (!p) {
      if (projector) closeViewer();
      renderBar();
      return;
    }
    if (!follow || iPresent()) return renderBar();
    openViewer(p.document_id, p.page, { zoom: p.zoom });
  }

  function sendZoom() {
    // At most ~4 zoom updates a second; the last one always goes out.
    clearTimeout(zoomTimer);
    const wait = Math.max(0, 250 - (Date.now() - lastZoomSent));
    zoomTimer = setTimeout(() => {
      lastZoomSent = Date.now();
      command("presenter.zoom", { meeting_id: meetingId, ...viewer.visibleRect() });
    }, wait);
  }

  async function present(doc) {
    const ack = await command("presenter.open", { meeting_id: meetingId, document_id: doc.id, page: 0 });
    if (!ack.ok) {
      toast(null, { text: errorMessage(ack.error), kind: "error" });
      return;
    }
    follow = true;
    await openViewer(doc.id, 0, { zoom: null });
  }

  async function stopPresenting() {
    const ack = await command("presenter.stop", { meeting_id: meetingId });
    if (!ack.ok) toast(null, { text: errorMessage(ack.error), kind: "error" });
    closeViewer();
  }

  // ---------------------------------------------------------------- list, search, upload
  const presentingSlot = h("div", { class: "dv-presenting-slot" });
  const list = h("ul", { class: "dv-list" });
  const results = h("ul", { class: "dv-results", "aria-live": "polite" });
  const uploads = h("ul", { class: "dv-uploads" });
  const search = h("input", {
    type: "search",
    class: "input dv-search",
    i18nAttr: { placeholder: "docs.search_placeholder", "aria-label": "docs.search" },
  });
  let searchTimer = null;
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 300);
  });

  async function runSearch() {
    const q = search.value.trim();
    results.replaceChildren();
    if (!q) return;
    try {
      const data = await api.get(`/api/meetings/${meetingId}/documents/search?q=${encodeURIComponent(q)}`);
      if (!data.results.length) results.append(h("li", { class: "dv-empty", i18n: "docs.no_results" }));
      for (const r of data.results) {
        const [s, e] = r.snippet_hit;
        results.append(
          h("li", {},
            h("button", {
              type: "button",
              class: "dv-result",
              on: { click: () => { setFollow(false); openViewer(r.document_id, r.page, { q }); } },
            },
            h("span", { class: "dv-result-title", text: `${r.title} · ${t("docs.page_n", { n: r.page + 1 })}` }),
            h("span", { class: "dv-snippet" }, r.snippet.slice(0, s), h("mark", { text: r.snippet.slice(s, e) }), r.snippet.slice(e)),
            ),
          ),
        );
      }
    } catch (error) {
      results.append(h("li", { class: "dv-empty", text: errorMessage(error) }));
    }
  }

  const fileInput = h("input", { type: "file", class: "visually-hidden", accept: ".pdf,.doc,.docx,.odt,.rtf,.xls,.xlsx,.ods,.ppt,.pptx,.odp", multiple: true, id: `dv-file-${meetingId}-${screen}` });
  const sensitivity = h("select", { class: "input dv-sensitivity", "aria-label": t("docs.sensitivity") },
    ...["internal", "confidential", "public"].map((s) => h("option", { value: s, i18n: `docs.sensitivity_${s}` })),
  );
  const uploadBox = h("div", { class: "dv-upload-box", hidden: true },
    h("label", { class: "btn btn-primary dv-upload-btn", for: fileInput.id, i18n: "docs.upload" }),
    sensitivity,
    fileInput,
  );
  fileInput.addEventListener("change", async () => {
    const chosen = [...fileInput.files];
    fileInput.value = "";
    for (const file of chosen) {
      const row = progressRow(file.name);
      uploads.prepend(row.element);
      try {
        await uploadDocument(meetingId, file, { sensitivity: sensitivity.value }, row);
        await reload();
      } catch {
        // the row shows the translated error
      }
    }
  });

  function renderFloorBadge() {
    const speakers = floorBadge && store.state && store.state.speakers;
    if (!speakers) return;
    endTurnBtn.hidden = !(speakers.current && store.can("speaker.manage"));
    const waiting = speakers.queue.length;
    floorBadge.dataset.count = String(waiting);
    floorBadge.classList.toggle("has-queue", waiting > 0);
    replaceChildren(
      floorBadge,
      h("span", { class: "dv-floor-queue", i18n: "docs.floor_queue", i18nParams: { n: waiting } }),
      speakers.current ? h("span", { class: "dv-floor-speaker", i18n: "docs.floor_speaking", i18nParams: { name: speakers.current.full_name } }) : null,
    );
  }

  // Presenting goes on when the viewer is closed: the console says so and can stop it.
  function presentingBar() {
    const p = presenterState();
    if (!iPresent() || open) return null;
    const doc = info.documents.find((d) => d.id === p.document_id);
    return h(
      "div",
      { class: "dv-presenting", role: "status" },
      h("span", { class: "dv-presenting-text", i18n: "docs.presenting_now", i18nParams: { title: doc ? doc.title : "", n: p.page + 1 } }),
      h(
        "div",
        { class: "dv-presenting-actions" },
        h("button", { type: "button", class: "btn btn-secondary", i18n: "docs.back_to_viewer", dataset: { action: "back-to-viewer" }, on: { click: () => { setFollow(true); openViewer(p.document_id, p.page, { zoom: p.zoom }); } } }),
        h("button", { type: "button", class: "btn btn-primary", i18n: "docs.stop", dataset: { action: "stop-presenting" }, on: { click: stopPresenting } }),
      ),
    );
  }

  function renderList() {
    const p = presenterState();
    replaceChildren(presentingSlot, presentingBar());
    renderFloorBadge();
    list.replaceChildren(
      ...(info.documents.length ? [] : [h("li", { class: "dv-empty", i18n: "docs.none" })]),
      ...info.documents.map((doc) => {
        const live = p && p.document_id === doc.id;
        return h("li", { class: ["dv-item", live && "dv-item-live"], dataset: { docId: String(doc.id) } },
          h("button", {
            type: "button",
            class: "dv-item-open",
            on: { click: () => { if (!live) setFollow(false); openViewer(doc.id, live ? p.page : 0, { zoom: live ? p.zoom : null }); } },
          },
          h("span", { class: "dv-item-title", text: doc.title }),
          h("span", { class: "dv-item-meta" },
            h("span", { i18n: "docs.pages", i18nParams: { n: doc.page_count } }),
            doc.version > 1 ? h("span", { i18n: "docs.version", i18nParams: { n: doc.version } }) : null,
            badge(doc),
            live ? h("span", { class: "dv-live", i18n: "docs.live", i18nParams: { n: p.page + 1 } }) : null,
          )),
          info.can_present ? h("button", { type: "button", class: "btn btn-secondary dv-present", i18n: "docs.present", on: { click: () => present(doc) } }) : null,
        );
      }),
    );
  }

  async function reload() {
    try {
      info = await api.get(`/api/meetings/${meetingId}/documents`);
    } catch (error) {
      list.replaceChildren(h("li", { class: "dv-empty", text: errorMessage(error) }));
      return;
    }
    uploadBox.hidden = !info.can_manage || screen === "tablet";
    renderList();
  }

  const card = projector
    ? h("div", { class: "dv-projector" })
    : h("section", { class: "card dv-card" },
      h("h2", { class: "card-title", i18n: "docs.title" }),
      presentingSlot,
      uploadBox,
      uploads,
      search,
      results,
      list,
    );
  host.append(card, overlay);

  const offState = store.subscribe(() => {
    applyPresenter();
    renderList();
  });
  const offEvents = store.onEvent((name, envelope) => {
    if (name === "document.changed") {
      const { op, document_id: docId } = envelope.data;
      forgetDocument(docId);
      reload().then(() => {
        // Readers are told of a new version (only of a document they may see).
        const doc = op === "replaced" && !projector && info.documents.find((d) => d.id === docId);
        if (doc) toast("agenda_editor.doc_new_version", { params: { title: doc.title }, timeout: 10000 });
      });
    }
  });
  if (!projector) reload();
  applyPresenter();

  return {
    active: (state) => (projector ? Boolean(state && state.presenter) : true),
    destroy() {
      offState();
      offEvents();
      annotations.destroy();
      viewer.destroy();
      clearTimeout(zoomTimer);
      document.documentElement.classList.remove("dv-open");
      if (open) overlay.remove();
    },
  };
}

registerRoomPanel("presenter", { id: "documents", screens: ["chair", "tablet", "projector"], order: 10, mount: mountPanel });
