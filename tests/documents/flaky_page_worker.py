"""A page worker that misbehaves on purpose (for tests): page 1 kills the process as a
MuPDF crash would, page 2 hangs; other pages are served by the real worker.

FLAKY_WORKER_START_DELAY (seconds, in the environment) delays start-up as a loaded
machine does (Python and PyMuPDF take seconds to import there)."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from meetings.documents import _page_worker
from meetings.documents._serve import Send


class FlakyWorker(_page_worker.PageWorker):
    def run(self, job: dict[str, Any], send: Send) -> dict[str, Any]:
        if job["index"] == 1:
            os.abort()
        if job["index"] == 2:
            time.sleep(3600)
        return super().run(job, send)


if __name__ == "__main__":
    time.sleep(float(os.environ.get("FLAKY_WORKER_START_DELAY", "0")))
    _page_worker.PageWorker = FlakyWorker  # type: ignore[misc]
    sys.exit(_page_worker.main())
