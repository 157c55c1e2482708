"""Legacy Word files (.doc, .wps, .rtf): converted to DOCX by LibreOffice, then read as DOCX."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from govreport.errors import InputError, MissingDependencyError
from govreport.ingest.docx import read_docx
from govreport.ir import Document

CONVERT_TIMEOUT_S = 120


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def media_type_of(data: bytes) -> str:
    if data.lstrip()[:5] == b"{\\rtf":
        return "application/rtf"
    return "application/msword"


def read_legacy_doc(path: Path, data: bytes) -> Document:
    """Convert a .doc/.wps/.rtf to DOCX with LibreOffice headless and read that, keeping ``path``."""
    soffice = find_soffice()
    if soffice is None:
        raise MissingDependencyError(path, "LibreOffice", "apt-get install libreoffice-writer")
    with tempfile.TemporaryDirectory(prefix="govreport-lo-") as tmp:
        tmpdir = Path(tmp)
        source = tmpdir / f"input{_input_suffix(path, data)}"
        source.write_bytes(data)
        outdir = tmpdir / "out"
        outdir.mkdir()
        _convert(path, soffice, source, outdir, tmpdir)
        converted = outdir / "input.docx"
        if not converted.is_file() or converted.stat().st_size == 0:
            reason = "LibreOffice produced no DOCX (the file is corrupt or not a Word document)"
            raise InputError(path, reason)
        doc = read_docx(path, converted.read_bytes())
    return doc.model_copy(update={
        "media_type": media_type_of(data),
        "warnings": [*doc.warnings, "converted to DOCX with LibreOffice before reading"],
    })


def _input_suffix(path: Path, data: bytes) -> str:
    if data.lstrip()[:5] == b"{\\rtf":
        return ".rtf"
    suffix = path.suffix.lower()
    return suffix if suffix in (".doc", ".wps", ".dot", ".wpt") else ".doc"


def _convert(path: Path, soffice: str, source: Path, outdir: Path, tmpdir: Path) -> None:
    profile = (tmpdir / "profile").as_uri()
    args = [
        soffice,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--invisible",
        "--nologo",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "docx:MS Word 2007 XML",
        "--outdir",
        str(outdir),
        str(source),
    ]
    env = {**os.environ, "HOME": str(tmpdir)}
    # A session of its own, so a timeout can end LibreOffice's helper processes too.
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmpdir,
                            start_new_session=True)
    try:
        _, err = proc.communicate(timeout=CONVERT_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise InputError(path, f"LibreOffice took over {CONVERT_TIMEOUT_S} s to convert the file") from exc
    if proc.returncode != 0:
        detail = err.decode("utf-8", errors="replace").strip()[-300:]
        raise InputError(path, f"LibreOffice failed to convert the file (exit {proc.returncode}: {detail})")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may have ended between the timeout and the kill
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
