"""Media tests run real aiortc peers on loopback inside one process."""

from __future__ import annotations

import sys
from pathlib import Path

# `import media` must work however pytest is started (plain `pytest` does not put the
# repository root on sys.path when tests/ has no __init__.py).
ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
