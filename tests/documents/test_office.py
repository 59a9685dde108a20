"""Office to PDF through LibreOffice (the conversion test needs Debian's libreoffice-writer)."""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import pytest

from meetings.documents import errors as E
from meetings.documents.errors import DocumentError
from meetings.documents.ingest import IngestPool
from meetings.documents.office import convert_to_pdf, find_soffice

TEXT = "Quyết định số 12/QĐ-UBND của Ủy ban nhân dân tỉnh Hà Nam"


def write_docx(path: Path, text: str) -> Path:
    """The smallest DOCX Word and LibreOffice accept: three parts in a zip."""
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
            '/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{ns}"><w:body>'
            f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return path


def test_unsupported_type(tmp_path: Path) -> None:
    (tmp_path / "a.exe").write_bytes(b"MZ")
    with pytest.raises(DocumentError) as info:
        convert_to_pdf(tmp_path / "a.exe", tmp_path / "a.pdf")
    assert info.value.code == E.UNSUPPORTED_TYPE


def test_converter_missing(tmp_path: Path) -> None:
    src = write_docx(tmp_path / "a.docx", TEXT)
    with pytest.raises(DocumentError) as info:
        convert_to_pdf(src, tmp_path / "a.pdf", soffice=str(tmp_path / "no-soffice"))
    assert info.value.code == E.CONVERTER_MISSING


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")
def test_docx_to_pdf_keeps_vietnamese(tmp_path: Path) -> None:
    pdf = convert_to_pdf(write_docx(tmp_path / "Tờ trình.docx", TEXT), tmp_path / "out.pdf")
    with IngestPool(1) as pool:
        r = pool.ingest(pdf)
    assert r.page_count == 1
    assert TEXT in unicodedata.normalize("NFC", r.pages[0].text)


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")
def test_garbage_office_file_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "x.docx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DocumentError) as info:
        convert_to_pdf(tmp_path / "x.docx", tmp_path / "x.pdf", timeout=60)
    assert info.value.code == E.CONVERT_FAILED
