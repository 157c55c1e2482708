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
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def find_soffice() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _is_rtf(data: bytes) -> bool:
    return data.lstrip()[:5] == b"{\\rtf"


def media_type_of(data: bytes) -> str:
    return "application/rtf" if _is_rtf(data) else "application/msword"


def _input_filter(path: Path, data: bytes) -> str | None:
    """The LibreOffice import filter to insist on, so a corrupt file fails instead of loading as text."""
    if _is_rtf(data):
        return "Rich Text Format"
    if path.suffix.lower() == ".wps":
        return None  # WPS Office and MS Works files: let LibreOffice detect which
    return "MS Word 97"


def read_legacy_doc(path: Path, data: bytes) -> Document:
    """Convert a .doc/.wps/.rtf to DOCX with LibreOffice headless and read that, keeping ``path``."""
    if not (data.startswith(_OLE2) or _is_rtf(data)):
        raise InputError(path, "not a Word 97-2003, WPS or RTF document (no OLE2 or RTF header)")
    soffice = find_soffice()
    if soffice is None:
        raise MissingDependencyError(path, "LibreOffice", "apt-get install libreoffice-writer")
    with tempfile.TemporaryDirectory(prefix="govreport-lo-") as tmp:
        tmpdir = Path(tmp)
        source = tmpdir / f"input{_input_suffix(path, data)}"
        source.write_bytes(data)
        outdir = tmpdir / "out"
        outdir.mkdir()
        log = _convert(path, soffice, source, outdir, tmpdir, _input_filter(path, data))
        converted = outdir / "input.docx"
        if not converted.is_file() or converted.stat().st_size == 0:
            reason = "LibreOffice could not convert the file (corrupt, or not a Word document)"
            raise InputError(path, f"{reason}: {log}" if log else reason)
        doc = read_docx(path, converted.read_bytes())
    return doc.model_copy(update={
        "media_type": media_type_of(data),
        "warnings": [*doc.warnings, "converted to DOCX with LibreOffice before reading"],
    })


def _input_suffix(path: Path, data: bytes) -> str:
    if _is_rtf(data):
        return ".rtf"
    suffix = path.suffix.lower()
    return suffix if suffix in (".doc", ".wps", ".dot", ".wpt") else ".doc"


def _convert(path: Path, soffice: str, source: Path, outdir: Path, tmpdir: Path,
             infilter: str | None) -> str:
    """Run LibreOffice; returns the tail of what it printed on stderr."""
    profile = (tmpdir / "profile").as_uri()
    args = [soffice, f"-env:UserInstallation={profile}", "--headless", "--invisible", "--nologo",
            "--norestore", "--nolockcheck"]
    if infilter:
        args.append(f"--infilter={infilter}")
    args += ["--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir), str(source)]
    env = {**os.environ, "HOME": str(tmpdir)}
    # A session of its own, so a timeout can end LibreOffice's helper processes too.
    try:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmpdir,
                                start_new_session=True)
    except OSError as exc:
        raise MissingDependencyError(path, "LibreOffice", f"{soffice} could not be started: {exc}") from exc
    try:
        _, err = proc.communicate(timeout=CONVERT_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise InputError(path, f"LibreOffice took over {CONVERT_TIMEOUT_S} s to convert the file") from exc
    text = err.decode("utf-8", errors="replace")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and "javaldx" not in ln]
    detail = " ".join(lines)[-300:]
    if proc.returncode != 0:
        raise InputError(path, f"LibreOffice failed to convert the file (exit {proc.returncode}: {detail})")
    return detail


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may have ended between the timeout and the kill
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
