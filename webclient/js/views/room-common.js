// Pieces shared by the meeting-room screens (chair console, tablet, projector).

import { h, icon, setI18n } from "../dom.js";
import { errorMessage, formatDate, formatTime, t, translateDom } from "../i18n.js";
import { command } from "../socket.js";
import { toast } from "../toast.js";
import { formatDuration, itemTimer, parseTime, speakerTimer } from "../meeting-timers.js";

/**
 * Send a command for a button: the button is disabled while it runs, errors become a
 * translated toast. quiet: error codes not worth a toast (the state resyncs anyway).
 */
export async function runCommand(name, payload, { button, quiet = [], store } = {}) {
  if (button) {
    if (button.dataset.busy === "1") return null;
    button.dataset.busy = "1";
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  }
  try {
    const ack = await command(name, payload);
    if (!ack.ok) {
      const code = ack.error && ack.error.code;
      if (!quiet.includes(code)) toast(null, { text: errorMessage(ack.error), kind: "error" });
      // Our picture may be stale (someone else acted first): fetch the truth.
      if (store && code === "conflict") store.refresh();
    }
    return ack;
  } finally {
    if (button && button.isConnected) {
      button.dataset.busy = "";
      button.disabled = false;
      button.removeAttribute("aria-busy");
    } else if (button) {
      button.dataset.busy = "";
    }
  }
}

/** Replace an element's children, keeping keyboard focus on the "same" control. */
export function replaceKeepingFocus(element, ...children) {
  const active = document.activeElement;
  const key = active && element.contains(active) ? active.dataset.focusKey : null;
  element.replaceChildren(...children.flat().filter(Boolean));
  translateDom(element);
  if (key) {
    const again = element.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (again && !again.disabled) again.focus({ preventScroll: true });
  }
}

export function statusBadge(status) {
  return h("span", {
    class: `badge badge-status badge-${status}`,
    i18n: `room.status.${status}`,
    dataset: { status },
  });
}

export function roleLabelKey(role) {
  return `room.role.${role || "manager"}`;
}

/** "08:00 – 10:00, 30/11/2026" style schedule line. */
export function scheduleText(meeting) {
  if (!meeting) return "";
  const start = parseTime(meeting.starts_at);
  const end = parseTime(meeting.ends_at);
  if (Number.isNaN(start)) return "";
  const date = new Date(start);
  return `${formatTime(date)}${Number.isNaN(end) ? "" : ` – ${formatTime(new Date(end))}`}, ${formatDate(date)}`;
}

/** A timer text element; update(seconds) rewrites it only when it changes. */
export function timerText(className) {
  const element = h("span", { class: ["timer", className].filter(Boolean).join(" ") });
  let last = null;
  element.update = (seconds) => {
    const text = seconds == null ? "--:--" : formatDuration(seconds);
    if (text !== last) {
      element.textContent = text;
      last = text;
    }
  };
  return element;
}

export function setState(element, { overrun = false, warning = false } = {}) {
  element.classList.toggle("is-overrun", overrun);
  element.classList.toggle("is-warning", warning && !overrun);
}

/** The current item's timer: elapsed / planned, and time left or the overrun, updated by
 * the room's ticker. `cls` names the parts so each screen styles them its own way. */
export function itemTimerBox(item, tickers, cls = {}) {
  const { timer: timerClass = "timer-item", remain: remainClass = "timer-remain" } = cls;
  const { box: boxClass = "current-timer", of: ofClass = "timer-of" } = cls;
  const timer = timerText(timerClass);
  const remain = h("span", { class: remainClass });
  const planned = formatDuration((item.planned_minutes + item.extra_minutes) * 60);
  const box = h("div", { class: boxClass }, timer, h("span", { class: ofClass, text: `/ ${planned}` }), remain);
  tickers.push((now) => {
    const tm = itemTimer(item, now);
    timer.update(tm.elapsed);
    remain.textContent = remainingText(tm);
    setState(box, tm);
  });
  return box;
}

/** "Còn 02:00" or "Quá 00:42": what is left of a timer, or by how much it ran over. */
export function remainingText(timer) {
  return timer.overrun
    ? t("room.overrun_by", { time: formatDuration(-timer.remaining) })
    : t("room.remaining", { time: formatDuration(timer.remaining) });
}

/**
 * Tick the clock of whoever has the floor: `timer` (timerText) shows the time spoken;
 * optional `bar` (a progress fill) and `remain` (time left); `boxes` get is-warning /
 * is-overrun.
 */
export function tickSpeaker(tickers, speakers, { timer, bar = null, remain = null, boxes = [] }) {
  tickers.push((now) => {
    const st = speakerTimer(speakers, now);
    if (!st) return;
    timer.update(st.spoken);
    if (bar) bar.style.width = `${Math.min(100, (st.spoken / Math.max(1, st.limit)) * 100)}%`;
    if (remain) remain.textContent = remainingText(st);
    for (const box of boxes) setState(box, st);
  });
}

/**
 * "Speaking now", the name and a line under it (unit, topic), in `wrap`; each screen
 * names the parts its own way: {tag, wrap, label, name, sub}.
 */
export function speakingNow(fullName, subText, { tag, wrap, label, name, sub }) {
  return h(
    "div",
    { class: wrap },
    h(tag, { class: label, i18n: "room.speaking_now" }),
    h(tag, { class: name, text: fullName }),
    subText ? h(tag, { class: sub, text: subText }) : null,
  );
}

/**
 * An up (delta −1) or down (+1) button of a reorderable list; `order` is the new order
 * (sortable.js moved()), null at the end of the list, which disables the button.
 */
export function moveButton(delta, { order, name, focusKey, onMove }) {
  return h(
    "button",
    {
      type: "button",
      class: "btn btn-ghost btn-icon",
      disabled: !order,
      "aria-label": t(delta < 0 ? "room.move_up" : "room.move_down", { title: name }),
      title: t(delta < 0 ? "room.move_up_short" : "room.move_down_short"),
      dataset: { focusKey },
      on: { click: (e) => order && onMove(order, e.currentTarget) },
    },
    icon(delta < 0 ? ICONS.up : ICONS.down, 22),
  );
}

/** An inline two-step confirm: first tap arms it, second tap (within 5 s) runs. */
export function confirmButton({ className, labelKey, confirmKey, focusKey, onConfirm }) {
  const button = h("button", {
    type: "button",
    class: className,
    i18n: labelKey,
    dataset: { focusKey },
  });
  let armed = null;
  button.addEventListener("click", () => {
    if (!armed) {
      setI18n(button, confirmKey);
      button.classList.add("is-armed");
      armed = setTimeout(() => {
        armed = null;
        button.classList.remove("is-armed");
        setI18n(button, labelKey);
      }, 5000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    button.classList.remove("is-armed");
    setI18n(button, labelKey);
    onConfirm(button);
  });
  return button;
}

export const ICONS = {
  mic: "M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1A7 7 0 0 0 19 11h-2z",
  check: "M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z",
  up: "M12 8l-6 6 1.4 1.4L12 10.8l4.6 4.6L18 14z",
  down: "M12 16l6-6-1.4-1.4L12 13.2 7.4 8.6 6 10z",
  next: "M6 18l8.5-6L6 6v12zm10-12v12h2V6h-2z",
  prev: "M6 6h2v12H6zm3.5 6 8.5 6V6z",
  close: "M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z",
  grip: "M9 5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zm6 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zM9 10.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zm6 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zM9 16a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zm6 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3z",
  clock: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm.5-13H11v6l5.2 3.2.8-1.3-4.5-2.7z",
  people: "M16 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm-8 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm0 2c-2.3 0-7 1.2-7 3.5V19h14v-2.5C15 14.2 10.3 13 8 13zm8 0c-.3 0-.6 0-1 .1 1.2.8 2 1.9 2 3.4V19h6v-2.5c0-2.3-4.7-3.5-7-3.5z",
  screen: "M21 3H3a2 2 0 0 0-2 2v11a2 2 0 0 0 2 2h7v2H8v2h8v-2h-2v-2h7a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2zm0 13H3V5h18v11z",
  tablet: "M18 1H6a2 2 0 0 0-2 2v18a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V3a2 2 0 0 0-2-2zm-6 21a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3zm6-4H6V4h12v14z",
  calendar: "M7 2h2v2h6V2h2v2h2a2 2 0 0 1 2 2v13a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h2V2zM5 9v10h14V9H5z",
  pause: "M6 5h4v14H6zm8 0h4v14h-4z",
  play: "M8 5v14l11-7z",
  plus: "M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z",
};

