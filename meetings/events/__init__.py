"""Server events, below both services and transport: the catalogue of what may be sent,
the outbox that queues events during a transaction, and the payload checks.

Nothing here knows Socket.IO: the realtime layer installs the emitter at start-up
(`outbox.set_emitter`)."""
