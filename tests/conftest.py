from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"


def shared_file(*parts: str) -> Path:
    """A file under ../shared, or skip the test where shared/ is absent (a user's machine)."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} not present (../shared is only beside a development checkout)")
    return p


def load_json(p: Path) -> dict:
    return json.loads(p.read_text("utf-8"))
