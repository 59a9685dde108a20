"""The web process does not load PyMuPDF (~140 MB resident) until a document needs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SERVE_WITHOUT_DOCUMENTS = """
import sys
from meetings.app import create_app
from meetings.config import Config
app = create_app(Config.from_env())
with app.test_client() as c:
    assert c.get("/healthz").status_code == 200
assert "pymupdf" not in sys.modules, "PyMuPDF imported without a document operation"
from meetings.documents.watermark import Mark, mark_pdf
import pymupdf
doc = pymupdf.open()
doc.new_page()
out = pymupdf.open(stream=mark_pdf(doc.tobytes(), Mark("Lê Văn An", "", "")), filetype="pdf")
assert "Lê Văn An" in out[0].get_text()
"""


def test_app_serves_without_loading_pymupdf(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "INSTANCE_DIR": str(tmp_path),
        "SECRET_KEY": "x" * 32,
        "PATH": "/usr/bin:/bin",
    }
    run = subprocess.run(
        [sys.executable, "-c", SERVE_WITHOUT_DOCUMENTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
