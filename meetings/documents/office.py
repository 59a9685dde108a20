"""Office documents (DOCX, XLSX, PPTX, ODT...) to PDF with LibreOffice, then ingest as PDF.

Each conversion runs in its own temp dir with its own LibreOffice profile: two
conversions at once would otherwise fight over the shared profile lock, and a hung
soffice must be killed with its whole process group at the timeout.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from . import errors as E

EXTENSIONS = frozenset(
    {".doc", ".docx", ".odt", ".rtf", ".xls", ".xlsx", ".ods", ".ppt", ".pptx", ".odp"}
)


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    timeout: float = 120.0,
    soffice: str | None = None,
) -> Path:
    """Convert `src` to a PDF written at `dest`; raise DocumentError on failure.

    Codes: unsupported_type (extension), converter_missing (no LibreOffice),
    convert_failed (non-zero exit, timeout, or no PDF produced).
    """
    src_path = Path(src)
    ext = src_path.suffix.lower()
    if ext not in EXTENSIONS:
        raise E.DocumentError(E.UNSUPPORTED_TYPE, f"cannot convert {ext or 'files without type'}")
    exe = soffice or find_soffice()
    if not exe or not os.access(exe, os.X_OK):
        raise E.DocumentError(E.CONVERTER_MISSING, "LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="office-") as tmp:
        work = Path(tmp)
        # A fixed ASCII name: user file names may hold anything LibreOffice mis-parses.
        inp = work / f"input{ext}"
        shutil.copyfile(src_path, inp)
        cmd = [
            exe,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            str(inp),
        ]
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=work,
            start_new_session=True,
        )
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise E.DocumentError(E.CONVERT_FAILED, f"timed out after {timeout:.0f}s") from None
        out = work / "out" / "input.pdf"
        if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            tail = err.decode(errors="replace").strip()[-300:]
            raise E.DocumentError(E.CONVERT_FAILED, f"exit {proc.returncode}: {tail}")
        dest_path = Path(dest)
        shutil.move(str(out), dest_path)
        return dest_path
