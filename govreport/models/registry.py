"""Where OCR model weights come from: the ONNX files shipped inside the installed ``rapidocr`` package, or a
folder the user supplies (``GOVREPORT_MODEL_DIR`` or an explicit ``model_dir``). Nothing is ever downloaded."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from govreport.errors import GovreportError

MODEL_DIR_ENV = "GOVREPORT_MODEL_DIR"

# Logical names -> the file names rapidocr 3.x ships in site-packages/rapidocr/models/.
MODEL_FILES: dict[str, str] = {
    "det": "PP-OCRv6_det_small.onnx",
    "rec": "PP-OCRv6_rec_small.onnx",
    "cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}


class ModelNotFoundError(GovreportError):
    """An OCR model file is in none of the places govreport looks (and govreport never downloads one)."""

    def __init__(self, name: str, searched: list[Path]) -> None:
        self.name = name
        self.searched = searched
        places = ", ".join(str(p) for p in searched) or "nowhere (rapidocr is not installed)"
        super().__init__(
            f"OCR model {name!r} not found; looked in: {places}. Install rapidocr (`pip install rapidocr`), "
            f"or put the ONNX file in a folder named by ${MODEL_DIR_ENV} or the model_dir option"
        )


def shipped_model_dir() -> Path | None:
    """The ``models`` folder of the installed rapidocr package, found without importing rapidocr."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "models"
        if candidate.is_dir():
            return candidate
    return None


def search_dirs(model_dir: str | Path | None = None) -> list[Path]:
    """Folders searched, first match wins: the explicit ``model_dir``, then ``$GOVREPORT_MODEL_DIR``, then
    the models rapidocr ships."""
    dirs: list[Path] = []
    if model_dir is not None:
        dirs.append(Path(model_dir).expanduser())
    env = os.environ.get(MODEL_DIR_ENV, "").strip()
    if env:
        dirs.append(Path(env).expanduser())
    shipped = shipped_model_dir()
    if shipped is not None:
        dirs.append(shipped)
    return dirs


def find_model(name: str, model_dir: str | Path | None = None) -> Path:
    """Path of an ONNX model file.

    ``name`` is a logical name (``"det"``, ``"rec"``, ``"cls"``), a file name (``"PP-OCRv6_rec_small.onnx"``)
    or a path to an existing file. A user folder may hold any subset of the files; the rest come from rapidocr.
    """
    direct = Path(name).expanduser()
    if direct.suffix == ".onnx" and direct.is_file():
        return direct
    file_name = MODEL_FILES.get(name, name)
    searched = search_dirs(model_dir)
    for folder in searched:
        candidate = folder / file_name
        if candidate.is_file():
            return candidate
    raise ModelNotFoundError(file_name, searched)
