// Casting a ballot from the tablet (ballot.js draws it). The ballot id is generated here
// and saved before sending; after a lost ack the same id is sent again (the server answers
// a replay with the original ack, receipt included), so a flaky Wi-Fi can never produce
// two ballots or lose the receipt.
//
// `tab` is the tablet's ballot: {store, userId, ui, askedMe, current(), render(force)};
// these functions update tab.ui and render again.

import { command } from "../socket.js";
import { uuid } from "../uuid.js";
import { forgetBallot, loadBallot, receiptFor, saveBallot } from "./model.js";

export async function cast(tab, poll) {
  if (tab.ui.sending) return;
  const previous = loadBallot(tab.userId, poll.id);
  const record = {
    ballot_id: uuid(),
    previous_ballot_id: previous && previous.confirmed ? previous.ballot_id : null,
    choices: tab.ui.selection,
    pending: true,
  };
  saveBallot(tab.userId, poll.id, record); // before sending: a retry reuses this id
  await send(tab, poll, record);
}

export function resend(tab, poll, record, manual = false) {
  if (!record || !record.pending || tab.ui.sending) return;
  if (!manual && tab.ui.error) return; // after a failure: the reconnect or the button resends
  send(tab, poll, record);
}

async function send(tab, poll, record) {
  tab.ui = { ...tab.ui, sending: true, error: null };
  tab.render();
  const payload = { meeting_id: tab.store.meetingId, poll_id: poll.id, ballot_id: record.ballot_id, choices: record.choices };
  if (record.previous_ballot_id) payload.previous_ballot_id = record.previous_ballot_id;
  const ack = await command("poll.cast", payload);
  tab.ui = { ...tab.ui, sending: false };
  if (ack.ok) {
    const data = ack.data;
    // A secret choice is not kept on the tablet: only the id and the receipt.
    saveBallot(tab.userId, poll.id, {
      ballot_id: data.ballot_id,
      receipt: data.receipt || null,
      choices: poll.secret ? null : data.choices,
      confirmed: true,
    });
    const live = tab.current();
    if (live && live.id === poll.id) {
      live.me = { ...(live.me || {}), eligible: true, voted: true, ...(poll.secret ? {} : { choices: data.choices }) };
    }
    tab.ui = { ...tab.ui, stage: "choose", selection: [], error: null, changing: false };
    tab.render();
    return;
  }
  const code = ack.error && ack.error.code;
  if (code === "disconnected" || code === "timeout") {
    tab.ui = { ...tab.ui, error: ack.error }; // kept pending: resent on reconnect or by the button
    tab.render();
    return;
  }
  // Refused: this ballot will never count; forget it (keep the previous confirmed one).
  const previous = record.previous_ballot_id
    ? { ballot_id: record.previous_ballot_id, confirmed: true, receipt: null, choices: null }
    : null;
  if (previous) {
    const old = loadBallot(tab.userId, poll.id);
    saveBallot(tab.userId, poll.id, { ...previous, ...(old && !old.pending ? old : {}) });
  } else {
    forgetBallot(tab.userId, poll.id);
  }
  tab.ui = { ...tab.ui, error: ack.error, stage: code === "invalid_choice" ? "choose" : tab.ui.stage };
  tab.render();
  if (["already_voted", "closed", "not_eligible", "conflict"].includes(code)) tab.store.refresh();
}

// The ack was lost and the poll closed before we could resend. If the server counted a
// ballot from us, it was this one (the only id we ever sent): keep its receipt, which we
// can compute ourselves; otherwise forget it.
export async function settleLate(tab, poll, record) {
  if (!poll.me) return; // wait for the snapshot's answer
  if (poll.me.voted) {
    const receipt = poll.secret ? await receiptFor(record.ballot_id) : null;
    saveBallot(tab.userId, poll.id, { ballot_id: record.ballot_id, receipt, choices: poll.secret ? null : record.choices, confirmed: true });
  } else {
    forgetBallot(tab.userId, poll.id);
  }
  tab.render(true);
}

// A poll opened while we watched: the event does not say whether I may vote. One small
// request (spread over a second so a room of tablets does not ask at the same instant).
export function learnMe(tab, poll) {
  if (tab.askedMe.has(poll.id)) return;
  tab.askedMe.add(poll.id);
  setTimeout(async () => {
    const ack = await command("poll.get", { meeting_id: tab.store.meetingId, poll_id: poll.id });
    const live = tab.current();
    if (!ack.ok || !live || live.id !== poll.id) {
      tab.askedMe.delete(poll.id);
      return;
    }
    if (!live.me || !live.me.voted) live.me = ack.data.poll.me;
    tab.render(true);
  }, Math.random() * 800);
}
