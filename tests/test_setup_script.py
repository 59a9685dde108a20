"""scripts/setup installs what each purpose needs (checked with SETUP_DRY_RUN=1)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _would_install(*args: str) -> set[str]:
    env = {**os.environ, "SETUP_DRY_RUN": "1"}
    run = subprocess.run(
        [str(ROOT / "scripts" / "setup"), *args], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    line = run.stdout.strip().splitlines()[-1]
    assert line.startswith("apt-get install:")
    return set(line.removeprefix("apt-get install:").split())


def test_bench_adds_what_the_benchmarks_run() -> None:
    plain, bench = _would_install(), _would_install("--bench")
    assert plain <= bench and _would_install("--test", "--bench") >= bench
    # Each tool a benchmark runs is either here already or on the list.
    for tool, package in (("janus", "janus"), ("gcc", "gcc"), ("pdftoppm", "poppler-utils"),
                          ("redis-server", "redis-server")):  # fmt: skip
        assert (shutil.which(tool) is not None) != (package in bench), tool
        assert package not in plain or tool == "pdftoppm"


def test_unknown_option_is_refused() -> None:
    run = subprocess.run([str(ROOT / "scripts" / "setup"), "--bnech"], capture_output=True)
    assert run.returncode == 2
