"""CTC decoding of a recogniser's per-step probabilities: greedy over the full charset (text), and a prefix beam
search over the numeric alphabet (numbers, with top-k alternatives and their probabilities).

Column 0 of every probability matrix is the CTC blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from govreport.ocr.base import NUMERIC_ALPHABET, Alternative

# Glyphs a Chinese recogniser may name for what, in a numeric cell, can only be the alphabet character:
# full-width forms, dash variants, the CJK "one" for a dash, and round zeros. Their probability is added to the
# character they stand for. Vertical-stroke lookalikes of "1" (l, I, |) are left out on purpose: a ruling line
# left at a crop's edge reads as one of them and must not become a digit.
NUMERIC_LOOKALIKES: dict[str, str] = {
    **{chr(0xFF10 + d): str(d) for d in range(10)},  # ０..９
    "〇": "0", "O": "0", "o": "0",
    "－": "-", "−": "-", "﹣": "-", "‐": "-", "‑": "-", "–": "-",
    "一": "—", "―": "—", "─": "—", "━": "—",
    "．": ".", "。": ".", "·": ".",
    "，": ",", "％": "%", "＋": "+", "／": "/",
}


@dataclass(frozen=True)
class NumericCharset:
    """How a model's charset maps onto the numeric alphabet: ``source[i]`` (a model column) adds to restricted
    column ``target[i]`` (0 = blank, k + 1 = ``chars[k]``)."""

    chars: str
    source: np.ndarray
    target: np.ndarray

    @classmethod
    def build(cls, charset: Sequence[str], alphabet: str = NUMERIC_ALPHABET) -> NumericCharset:
        """``charset`` lists the model's output columns, blank first."""
        column = {ch: i for i, ch in enumerate(charset) if i > 0}
        chars = "".join(ch for ch in alphabet if ch in column)
        source, target = [0], [0]
        for k, ch in enumerate(chars):
            source.append(column[ch])
            target.append(k + 1)
        for look, ch in NUMERIC_LOOKALIKES.items():
            if look in column and ch in chars:
                source.append(column[look])
                target.append(chars.index(ch) + 1)
        return cls(chars, np.asarray(source, dtype=np.int64), np.asarray(target, dtype=np.int64))

    def restrict(self, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(..., T, C) model probabilities -> ((..., T, K + 1) probabilities renormalised over blank + alphabet,
        (..., T) share of each step's probability that fell on blank + alphabet before renormalising)."""
        onehot = np.zeros((len(self.source), len(self.chars) + 1), dtype=np.float64)
        onehot[np.arange(len(self.source)), self.target] = 1.0
        restricted = probs[..., self.source].astype(np.float64) @ onehot
        kept = restricted.sum(axis=-1)
        empty = kept <= 0
        restricted[empty, 0] = 1.0
        restricted /= np.where(empty, 1.0, kept)[..., None]
        return restricted, kept


def sharpen(probs: np.ndarray, exponent: float) -> np.ndarray:
    """Per-step probabilities raised to ``exponent`` and renormalised (a softmax temperature of 1/exponent).

    CTC models spread a faint speck's probability thinly over several steps; summed over alignments, those
    slivers can outweigh the clean reading (``"126"`` read as ``"126."``). Sharpening damps them. On synthetic
    noisy cells an exponent of 1.5 gave the best-calibrated string probabilities and the best top-1."""
    if exponent == 1.0:
        return probs
    powered = np.power(probs, exponent)
    return powered / powered.sum(axis=-1, keepdims=True)


def greedy(probs: np.ndarray, charset: Sequence[str]) -> tuple[str, float]:
    """Best path of one (T, C) matrix: collapse repeats, drop blanks. Confidence: mean probability of the
    emitted characters; for an empty reading, the smallest blank probability (about 1 when blank dominates)."""
    best = probs.argmax(axis=-1)
    top = probs[np.arange(len(best)), best]
    keep = best != 0
    keep[1:] &= best[1:] != best[:-1]
    if not keep.any():
        return "", float(top.min()) if len(top) else 0.0
    text = "".join(charset[i] for i in best[keep])
    return text, float(top[keep].mean())


def prefix_beam_search(probs: np.ndarray, chars: str, beam_width: int = 12, top_k: int = 3,
                       prune: float = 1e-4) -> list[Alternative]:
    """CTC prefix beam search over a (T, K + 1) matrix (column 0 blank, column k + 1 = ``chars[k]``).

    Returns up to ``top_k`` distinct collapsed strings, best first, each with its probability under the model:
    the sum over all alignments that collapse to it (so the probabilities of all strings add up to 1, and the
    figures are comparable from one crop to the next). Characters below ``prune`` at a step are not expanded.
    """
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (1.0, 0.0)}  # prefix -> (p ends in blank, p not)
    rows = probs.tolist()
    for row in rows:
        candidates = [c for c in range(1, len(row)) if row[c] > prune]
        beams = _extend(beams, row, candidates, beam_width)
    ranked = sorted(beams.items(), key=lambda kv: kv[1][0] + kv[1][1], reverse=True)
    out: list[Alternative] = []
    for prefix, (pb, pnb) in ranked[:top_k]:
        p = min(1.0, pb + pnb)
        if p > 0.0:
            out.append(Alternative("".join(chars[c - 1] for c in prefix), p))
    return out


def _extend(beams: dict[tuple[int, ...], tuple[float, float]], row: list[float], candidates: list[int],
            beam_width: int) -> dict[tuple[int, ...], tuple[float, float]]:
    blank = row[0]
    nxt: dict[tuple[int, ...], list[float]] = {}
    for prefix, (pb, pnb) in beams.items():
        total = pb + pnb
        entry = nxt.setdefault(prefix, [0.0, 0.0])
        entry[0] += total * blank
        last = prefix[-1] if prefix else -1
        if last > 0:
            entry[1] += pnb * row[last]  # the last character goes on over this step
        for c in candidates:
            ext = nxt.setdefault((*prefix, c), [0.0, 0.0])
            ext[1] += (pb if c == last else total) * row[c]  # a repeat needs a blank in between
    best = sorted(nxt.items(), key=lambda kv: kv[1][0] + kv[1][1], reverse=True)[:beam_width]
    return {prefix: (pb, pnb) for prefix, (pb, pnb) in best}
