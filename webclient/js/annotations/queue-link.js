// The offline queue's way to the server (queue.js): `annotation.sync` over the socket, the
// signals that say "try now" (a reconnect, the browser back online), and the pending count
// on <html data-annot-pending> for CSS and the browser tests.

import { command, onConnect } from "../socket.js";

export const socketLink = {
  sync: (payload, options) => command("annotation.sync", payload, options),
  onReady(fn) {
    const offConnect = onConnect(fn);
    window.addEventListener("online", fn);
    return () => {
      offConnect();
      window.removeEventListener("online", fn);
    };
  },
  showPending(count) {
    document.documentElement.dataset.annotPending = String(count);
  },
};
