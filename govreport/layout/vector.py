"""Ruling lines from a PDF page's vector drawings."""

from __future__ import annotations

from typing import Any

from govreport.layout.grid import Segment

THIN = 2.0  # a filled rectangle thinner than this is a drawn line


def segments_from_drawings(drawings: list[dict[str, Any]]) -> list[Segment]:
    """Horizontal and vertical segments from ``pymupdf.Page.get_drawings()`` output.

    Lines count; so do thin filled rectangles (how Word and WPS often draw borders) and the
    edges of stroked rectangles. Large fill-only rectangles are cell shading and are ignored.
    """
    out: list[Segment] = []
    for d in drawings:
        stroked = d.get("type") in ("s", "fs")
        for item in d.get("items", ()):
            kind = item[0]
            if kind == "l":
                a, b = item[1], item[2]
                if abs(a.y - b.y) < 0.8 or abs(a.x - b.x) < 0.8:
                    out.append(Segment(a.x, a.y, b.x, b.y))
            elif kind == "re":
                out.extend(_rect_segments(item[1], stroked))
            elif kind == "qu":
                out.extend(_rect_segments(item[1].rect, stroked))
    return out


def _rect_segments(r: Any, stroked: bool) -> list[Segment]:
    if r.width < THIN and r.height >= THIN:
        x = (r.x0 + r.x1) / 2
        return [Segment(x, r.y0, x, r.y1)]
    if r.height < THIN and r.width >= THIN:
        y = (r.y0 + r.y1) / 2
        return [Segment(r.x0, y, r.x1, y)]
    if stroked and r.width >= THIN and r.height >= THIN:
        return [
            Segment(r.x0, r.y0, r.x1, r.y0),
            Segment(r.x0, r.y1, r.x1, r.y1),
            Segment(r.x0, r.y0, r.x0, r.y1),
            Segment(r.x1, r.y0, r.x1, r.y1),
        ]
    return []
