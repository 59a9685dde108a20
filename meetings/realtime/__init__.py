"""Socket.IO: the command registry, the event catalogue, snapshots and connection handling."""


def load_commands() -> None:
    """Import every module that registers commands, events or snapshot parts."""
    from meetings.realtime import (  # noqa: F401
        agenda,
        annotations,
        attendance,
        conference,
        connection,
        meeting,
        polls,
        presenter,
        speakers,
    )

    _reserve_empty_parts()


def _reserve_empty_parts() -> None:
    """Keep snapshot keys stable for clients: `poll` and `presenter` are None until their
    domains register a part. Runs after every import above, so it never shadows one."""
    from meetings.realtime.snapshot import PARTS

    for name in ("poll", "presenter"):
        PARTS.setdefault(name, lambda _meeting, _user: None)
