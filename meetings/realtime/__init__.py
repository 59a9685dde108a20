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
