// Upload with visible progress: bytes sent (XHR upload progress; fetch has none), then the
// server's processing stages, which arrive as `document.progress` Socket.IO events tagged
// with our upload id while the request is still open. The response is the outcome.

import { ApiError, getCsrfToken } from "../api.js";
import { h } from "../dom.js";
import { errorMessage, t } from "../i18n.js";
import { on } from "../socket.js";

const STAGES = ["queued", "converting", "hashing", "opening", "pages", "storing", "ready"];

function newId() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `u-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** A progress row: name, bar, text. Returns {element, set(fraction, key, params), done, fail}. */
export function progressRow(filename) {
  const bar = h("progress", { class: "dv-progress", max: "100", value: "0" });
  const label = h("span", { class: "dv-progress-text", i18n: "docs.uploading", i18nParams: { pct: 0 } });
  const element = h("li", { class: "dv-upload" }, h("span", { class: "dv-upload-name", text: filename }), bar, label);
  return {
    element,
    set(fraction, key, params) {
      bar.value = String(Math.round(fraction * 100));
      label.dataset.i18n = key;
      label.dataset.i18nParams = JSON.stringify(params || {});
      label.textContent = t(key, params);
      element.dataset.stage = key;
    },
    done() {
      bar.value = "100";
      element.dataset.state = "done";
      label.textContent = t("docs.upload_done");
    },
    fail(error) {
      element.dataset.state = "failed";
      label.textContent = errorMessage(error);
    },
  };
}

/**
 * uploadDocument(meetingId, file, fields, row) → the created document, or throws ApiError.
 * fields: {sensitivity, agenda_item_id, replaces_id, title}
 */
export function uploadDocument(meetingId, file, fields, row) {
  const uploadId = newId();
  return new Promise((resolve, reject) => {
    const off = on("document.progress", (envelope) => {
      const p = envelope && envelope.data;
      if (!p || p.upload_id !== uploadId) return;
      const step = Math.max(0, STAGES.indexOf(p.stage));
      row.set(p.fraction, `docs.stage_${STAGES[step]}`, { pct: Math.round(p.fraction * 100) });
    });
    const form = new FormData();
    form.append("file", file, file.name);
    for (const [key, value] of Object.entries(fields || {})) {
      if (value !== undefined && value !== null && value !== "") form.append(key, String(value));
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/meetings/${meetingId}/documents?upload_id=${uploadId}`);
    xhr.setRequestHeader("X-CSRFToken", getCsrfToken() || "");
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.round((e.loaded / e.total) * 100);
      row.set(e.loaded / e.total, "docs.uploading", { pct });
    };
    xhr.upload.onload = () => row.set(0, "docs.stage_queued", { pct: 0 });
    xhr.onload = () => {
      off();
      const body = xhr.response;
      if (xhr.status === 201 && body && body.document) {
        row.done();
        resolve(body.document);
        return;
      }
      const err = body && body.error ? body.error : { code: xhr.status === 413 ? "too_large" : "unexpected_response" };
      const error = new ApiError(err.code, err.message, { status: xhr.status });
      row.fail(error);
      reject(error);
    };
    xhr.onerror = () => {
      off();
      const error = new ApiError("network_error", "network");
      row.fail(error);
      reject(error);
    };
    xhr.send(form);
  });
}
