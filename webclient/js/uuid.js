// Client-generated ids (annotation marks and ops, ballots): UUID v4.

/** A random UUID v4. crypto.randomUUID needs a secure context; meeting rooms run on plain
 * HTTP on the LAN, so fall back to getRandomValues there. */
export function uuid() {
  const crypto = globalThis.crypto;
  if (typeof crypto.randomUUID === "function" && globalThis.isSecureContext !== false) {
    return crypto.randomUUID();
  }
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
