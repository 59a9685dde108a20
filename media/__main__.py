"""``python -m media``: run one media node until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

from media.config import NodeConfig
from media.control import ControlChannel


async def main() -> None:
    channel = ControlChannel(NodeConfig.from_env())
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = asyncio.ensure_future(channel.run())
    await stop.wait()
    await channel.stop()
    runner.cancel()


if __name__ == "__main__":
    logging.basicConfig(
        level=os.environ.get("MEDIA_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    asyncio.run(main())
