// Voting (biểu quyết): fills the "poll" slot of the three room screens and teaches the
// meeting store the poll.* events (model.js). Imported once from app.js.
//
//   chair console  chair.js   create / open / watch / close / publish / export
//   tablet         ballot.js  the ballot, confirmation, my vote, the secret receipt
//   projector      board.js   live count with the timer, then the result chart

import { registerRoomPanel } from "../room-panels.js";
import "./model.js"; // the reducers
import { mountTabletPoll } from "./ballot.js";
import { mountBoard } from "./board.js";
import { mountChairPoll } from "./chair.js";

const MOUNT = { chair: mountChairPoll, tablet: mountTabletPoll, projector: mountBoard };

registerRoomPanel("poll", {
  id: "polls",
  screens: ["chair", "tablet", "projector"],
  order: 10,
  mount(host, args) {
    return MOUNT[args.screen](host, args);
  },
});
