"""The documents benchmark's JSON line keeps the keys that issues and docs name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "bench" / "documents.py"
NAMED = {
    "render_speedup_vs_pdftoppm",
    "first_page_p95_ms",
    "cached_pages_per_s",
    "cached_p99_ms",
    "download_watermarked_s",
    "download_watermarked_again_s",
}


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
    assert figures.keys() >= NAMED
    # Part (a) ran: its headline ratio is a measurement (pdftoppm is a test dependency).
    assert figures["render_speedup_vs_pdftoppm"] == figures["ratio_text_png"]
    assert figures["render_speedup_vs_pdftoppm"] > 0
