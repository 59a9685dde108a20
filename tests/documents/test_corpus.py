"""The pdf.js corpus (919 real-world files, some broken, encrypted or fuzzed) through ingest.

Every file either succeeds with the page count PyMuPDF reports, or gets one specific code;
no exception escapes, and the pool is still serving at the end. The accepted files then get
a watermarked download that names the person. Skipped when ../shared/corpus is absent.
"""

from __future__ import annotations

import collections
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pymupdf
import pytest

from meetings.documents import errors as E
from meetings.documents.errors import DocumentError
from meetings.documents.ingest import IngestPool
from meetings.documents.watermark import Mark, mark_pdf

from .conftest import CORPUS

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
INGEST_CODES = {E.NOT_PDF, E.ENCRYPTED, E.EMPTY, E.UNREADABLE, E.TOO_LARGE}


@pytest.fixture(scope="module")
def outcomes() -> dict[Path, tuple[str, int | str]]:
    files = sorted(CORPUS.glob("*.pdf"))
    assert len(files) > 900
    with IngestPool(2, timeout=60, stall_timeout=20) as pool:

        def one(path: Path) -> tuple[str, int | str]:
            try:
                return "ok", pool.ingest(path).page_count
            except DocumentError as e:
                return e.code, e.message

        with ThreadPoolExecutor(2) as ex:
            results = dict(zip(files, ex.map(one, files), strict=True))
        assert pool.alive() == 2
        assert pool.ingest(files[0]) is not None  # still serving
    return results


def test_every_file_gets_a_result_or_a_specific_code(
    outcomes: dict[Path, tuple[str, int | str]],
) -> None:
    counts = collections.Counter(code for code, _ in outcomes.values())
    print(dict(counts))
    assert set(counts) <= INGEST_CODES | {"ok"}
    # The corpus README measured 890 opening and rendering page 1, 14 empty, 12 encrypted,
    # 3 failing; ingest processes every page, so one file more fails (cycle in page tree).
    assert counts["ok"] >= 885
    assert counts[E.ENCRYPTED] == 12
    assert counts[E.EMPTY] == 14
    assert counts[E.UNREADABLE] <= 5


def test_page_counts_match_pymupdf(outcomes: dict[Path, tuple[str, int | str]]) -> None:
    pymupdf.TOOLS.mupdf_display_errors(False)
    for path, (code, pages) in outcomes.items():
        if code == "ok":  # only files a worker already survived are opened in-process
            assert pymupdf.open(path, filetype="pdf").page_count == pages, path.name


def test_watermarked_download_of_every_accepted_file(
    outcomes: dict[Path, tuple[str, int | str]],
) -> None:
    mark = Mark("Nguyễn Thị Hồng Nhung", "Sở Nội vụ", "30/11/2025 14:05")
    flags = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_MEDIABOX_CLIP
    missing = []
    for path, (code, pages) in outcomes.items():
        if code != "ok":
            continue
        out = pymupdf.open(stream=mark_pdf(path, mark), filetype="pdf")
        if out.page_count != pages or mark.name not in out[0].get_text(flags=flags):
            missing.append(path.name)
    assert missing == []
