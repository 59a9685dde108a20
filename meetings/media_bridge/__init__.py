"""Web's side of the media nodes: the `/media` Socket.IO namespace and the video conference.

- `nodes`      authenticates media nodes (node key, hmac.compare_digest), keeps the registry
               of connected nodes and the units they serve, forwards orders with acks.
- `conference` the conference of each meeting: which site is connected on which peer,
               which site is on air, mutes, recording; reconciles with a node that
               re-registers. Browser commands live in `meetings.realtime.conference`.
  `conference_state` its in-memory state and the registry of conferences;
  `conference_view` what browsers see of it; `node_errors` a node's error for users.
- `node_events` what web does on each event a node sends.
- `turn`       time-limited TURN credentials (coturn REST scheme).

State here is **in memory, per web worker**: a node is registered with the worker it
dialled, and browsers whose Socket.IO connection lands on another worker get
`unavailable`. One worker (the default) is fine; several workers need the registry
moved to Redis (see docs/conference.md, "Limits").
"""
