"""The documents benchmark's JSON line keeps the keys that docs/performance.md names."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "bench" / "documents.py"


def documented_keys() -> set[str]:
    """The keys docs/performance.md promises in the last JSON line."""
    text = (ROOT / "docs" / "performance.md").read_text()
    paragraph = text.split("The last JSON line now always carries the keys", 1)[1]
    return set(re.findall(r"`([a-z0-9_]+)`", paragraph.split("\n\n", 1)[0]))


def test_small_run_prints_every_named_key(tmp_path: Path) -> None:
    args = ["--skip-web", "--sample", "1", "--text-pages", "2", "--scan-pages", "1"]
    run = subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--width", "300"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["bench"] == "documents"
    named = documented_keys()
    assert len(named) == 6 and "render_speedup_vs_pdftoppm" in named
    assert figures.keys() >= named
    # Part (a) ran: its headline ratio is a measurement (pdftoppm is a test dependency).
    assert figures["render_speedup_vs_pdftoppm"] == figures["ratio_text_png"]
    assert figures["render_speedup_vs_pdftoppm"] > 0
