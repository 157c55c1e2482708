"""Repair of garbled OCR readings with the sum relations: recall, precision, false changes, flags, speed.

    python benchmarks/bench_repair.py                       # simulated OCR, k = 1 and 2 garbled cells per relation
    python benchmarks/bench_repair.py --ocr                 # also real OCR readings of degraded digit crops
    python benchmarks/bench_repair.py --calibrate [--ocr]   # sweep the confidence threshold (see below)
    python benchmarks/bench_repair.py --n 400 --seed 3 --k 1,2

Documents: correct tables from the corpus generator (``benchmarks.corpus.labels.random_label``), both templates,
all blank styles, the single （六）其他处理 row, and a share that break their own sums (``break_sums``: the label
carries the relations broken as printed). Then k cells per relation are garbled (at most k garbled cells in any
complete relation; about ``--rate`` of the cells in complete relations), and every cell gets OCR evidence:

* simulated (default): a garbled cell's text is the true text garbled as OCR does (a look-alike digit, a digit
  dropped or doubled, a letter for a digit, a lost or spurious point or separator, a seal smear that leaves no
  number, or an arbitrary digit swap that no confusion table predicts), confidence 0.3-0.9, and with probability
  ``--p-alt`` the truth among the recogniser's top-3 alternatives; correct cells mostly read at 0.97-0.9999,
  ``--low-share`` of them at 0.6-0.97 (correct but unsure); blanks read as blanks.
* ``--ocr``: the text of each cell is rendered in a CJK font and degraded (blur, low resolution, noise, JPEG,
  thin or thick ink, a red seal stroke removed as the scan path does, specks), and read by the project's recogniser
  (``make_recognizer(OcrOptions())``) as the scan path reads a cell (``ingest/scanned.py``: text mode, then the
  numeric decodings of a short reading), and handed to repair as the pipeline hands it (``pipeline_evidence``: text
  that is no number takes its first numeric decoding).
  Cells picked for garbling take one of their text's wrong readings of heavily degraded crops (``heavy_tries``: 6
  to 480 renderings, by how many cells print the text; a text none of whose renderings reads wrong stays correctly
  read); other cells are read from lightly degraded crops (a wrong light reading is a natural garble). Readings
  are cached (``--cache``); the first run takes a few minutes on CPU.

Figures: repair recall (garbled cells restored to the truth, over garbled cells in complete relations), repair
precision (changes that were right), false changes of cells read right (confident or not), conflict and unreadable
rates, flag precision/recall (relations flagged vs the relations the printed document breaks), the share of
self-inconsistent documents flagged for exactly their broken relations and of consistent documents with no flag, and
milliseconds per report for candidates + repair (median, p95; the benchmark's own objects frozen first,
``settle_heap``). Recall is split by kind of garbling (simulated) or by reading (real OCR: a reading of one crop
that recurs over 4% or more of the misread cells apart, as ``'上' for 0``, the rest as "other readings").

``--calibrate``: the confidence threshold sweep of ``govreport.postprocess.calibrate.calibrate_threshold``.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import hashlib
import json
import math
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus.labels import BLANK_STYLES, broken_relations, random_label
from benchmarks.corpus.labels import load_template as load_template_json
from govreport.ir import TextAlternative
from govreport.postprocess.calibrate import CalibrationCase, calibrate_threshold, candidate_calibration
from govreport.postprocess.candidates import LETTER_DIGITS, CellEvidence, Number, cell_candidates, numeric_decoding
from govreport.postprocess.numbers import ParseOutcome, parse_number
from govreport.postprocess.passes import repair_cells
from govreport.postprocess.repair import CALIBRATED_THRESHOLD, CellRepair, RepairOptions, RepairResult, ValueStatus
from govreport.schema.templates import Invariant, load_template

DIGIT_LOOKALIKES: dict[str, str] = {  # what a digit is misread as (the simulated truth of OCR garbling)
    "0": "8696", "1": "74", "2": "73", "3": "8852", "4": "91", "5": "6638", "6": "8850", "7": "12",
    "8": "3360905", "9": "8043",
}
DIGIT_TO_LETTER = {d: ch for ch, d in LETTER_DIGITS.items() if ch in "OlSBZG"}
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@dataclass
class Doc:
    template: str
    single_row: bool
    truth: dict[str, Number | None]
    flags: list[str]  # relations the printed document breaks
    invariants: list[Invariant]
    garbled: set[str] = field(default_factory=set)  # cells chosen for garbling
    misprinted: frozenset[str] = frozenset()  # the totals the corpus generator misprinted (``labels._break_sums``)


@dataclass(frozen=True)
class Reading:
    text: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()


def cell_text(key: str, value: Number | None) -> str:
    if value is None:
        return ""
    if key.endswith(".amount"):
        return f"{float(value):.2f}"
    return str(int(value))


def value_of(key: str, text: str) -> Number | None:
    p = parse_number(text)
    return p.value if p.outcome is ParseOutcome.NUMBER else None


# ---------------------------------------------------------------------------------------------------------
# documents


def make_docs(n: int, rng: random.Random, share_broken: float) -> list[Doc]:
    docs = []
    for i in range(n):
        template = ("2019", "2021")[i % 2]
        single = template == "2021" and rng.random() < 0.3
        style = rng.choices(BLANK_STYLES, weights=(0.7, 0.2, 0.1))[0]
        broken = rng.random() < share_broken
        state = rng.getstate()
        label = random_label(template, rng, other_handling_single_row=single, blank_style=style, break_sums=broken)
        truth: dict[str, Number | None] = dict(label["cells"])
        tjson = load_template_json(template)
        flags = broken_relations(tjson, truth)
        if flags != label.get("flags", []):
            raise RuntimeError("label flags disagree with broken_relations")
        misprinted: frozenset[str] = frozenset()
        if broken:  # the same label drawn again without the misprints (``_break_sums`` draws last): what they changed
            again = random.Random()
            again.setstate(state)
            clean = random_label(template, again, other_handling_single_row=single, blank_style=style)["cells"]
            misprinted = frozenset(k for k, v in truth.items() if v != clean[k])
        docs.append(Doc(template, single, truth, flags, load_template(template).invariants_for(single),
                        misprinted=misprinted))
    return docs


def complete(inv: Invariant, truth: Mapping[str, Number | None]) -> bool:
    return all(truth.get(k) is not None for k in inv.fields)


def read_as_printed(cell: CellRepair, truth: Number | None) -> bool:
    """The cell's reading is the printed value (a printed blank read as one)."""
    return cell.reading == truth and (truth is not None or cell.blank)


# what of a self-inconsistent document's broken relations was read wrong (``broken_read_wrong``)
BROKEN_READ_WRONG = ("nothing", "another cell", "the misprinted total")


def broken_read_wrong(doc: Doc, result: RepairResult) -> str:
    """Whether a misprinted total of ``doc`` (``Doc.misprinted``) was read wrong (then no reader can see the
    misprint but through the garbling), else another cell of a relation it breaks, else nothing of those relations."""
    def wrong(key: str) -> bool:
        return not read_as_printed(result.cells[key], doc.truth[key])

    broken = [inv for inv in doc.invariants if inv.id in doc.flags]
    if any(wrong(k) for k in doc.misprinted if any(k in inv.fields for inv in broken)):
        return BROKEN_READ_WRONG[2]
    return BROKEN_READ_WRONG[1] if any(wrong(k) for inv in broken for k in inv.fields) else BROKEN_READ_WRONG[0]


def choose_garbled(doc: Doc, k: int, rate: float, rng: random.Random) -> set[str]:
    """Cells to garble, about ``rate`` of the cells in complete relations, no complete relation with more than
    ``k``. With k >= 2 they come in groups of k drawn from one relation (so that relations with k garbled cells are
    the rule, not the exception)."""
    rels = [inv for inv in doc.invariants if complete(inv, doc.truth)]
    rels_of: dict[str, list[str]] = {}
    for inv in rels:
        for key in inv.fields:
            rels_of.setdefault(key, []).append(inv.id)
    n_cells = len(rels_of)
    target = max(1, round(rate * n_cells)) if n_cells else 0
    count: dict[str, int] = {}
    chosen: set[str] = set()

    def fits(keys: Sequence[str]) -> bool:
        extra: dict[str, int] = {}
        for key in keys:
            for r in rels_of[key]:
                extra[r] = extra.get(r, 0) + 1
        return all(count.get(r, 0) + n <= k for r, n in extra.items())

    for _ in range(50 * max(1, target)):
        if len(chosen) >= target or not rels:
            break
        inv = rng.choice(rels)
        free = [key for key in inv.fields if key not in chosen]
        if len(free) < k:
            continue
        group = rng.sample(free, k)
        if fits(group):
            for key in group:
                chosen.add(key)
                for r in rels_of[key]:
                    count[r] = count.get(r, 0) + 1
    return chosen


# ---------------------------------------------------------------------------------------------------------
# simulated OCR


def garble_text(text: str, rng: random.Random) -> tuple[str, str]:
    """(garbled text, kind) of a correct number text, as OCR garbles it; the value always differs."""
    for _ in range(50):
        r = rng.random()
        digits = [i for i, ch in enumerate(text) if ch.isdigit()]
        i = rng.choice(digits)
        if r < 0.40:
            out, kind = text[:i] + rng.choice(DIGIT_LOOKALIKES[text[i]]) + text[i + 1:], "lookalike"
        elif r < 0.52:
            reps = [j for j in digits[:-1] if j + 1 < len(text) and text[j] == text[j + 1]]
            j = rng.choice(reps) if reps and rng.random() < 0.6 else i
            out, kind = text[:j] + text[j + 1:], "dropped"
            if not any(ch.isdigit() for ch in out):
                continue
        elif r < 0.62:
            out, kind = text[:i + 1] + text[i] + text[i + 1:], "doubled"
        elif r < 0.70:
            cands = [j for j in digits if text[j] in DIGIT_TO_LETTER]
            if not cands:
                continue
            j = rng.choice(cands)
            out, kind = text[:j] + DIGIT_TO_LETTER[text[j]] + text[j + 1:], "letter"
        elif r < 0.77:
            if "." in text:
                out, kind = text.replace(".", ""), "lost-point"
            elif len(text) >= 2:
                j = rng.randint(1, len(text) - 1)
                out, kind = text[:j] + "." + text[j:], "spurious-point"
            else:
                continue
        elif r < 0.84:
            out, kind = rng.choice(("印", "章", "■", "")) + text[i:i + rng.randint(0, 1)] + rng.choice(("印", "")), \
                "seal-smear"
            if value_of("", out) is not None or out == "":
                continue
        elif r < 0.94:
            out, kind = text[:i] + rng.choice([d for d in "0123456789" if d != text[i]]) + text[i + 1:], "arbitrary"
        else:
            j = rng.randint(0, len(text))
            out, kind = text[:j] + rng.choice("0123456789") + text[j:], "inserted"
        if out != text and _number_or_garbage(out) != _number_or_garbage(text):
            return out, kind
    return text[:-1] + ("8" if text[-1] != "8" else "3"), "lookalike"


def _number_or_garbage(text: str) -> object:
    v = value_of("", text)
    return ("garbage", text) if v is None else float(v)


def sim_reading(key: str, value: Number | None, garbled: bool, rng: random.Random, p_alt: float,
                low_share: float) -> Reading:
    text = cell_text(key, value)
    if value is None:  # an empty crop reads "" with confidence 1 (no ink); a printed marker as itself
        marker = rng.choice(("", "", "—", "/"))
        return Reading(marker, 1.0 if not marker or rng.random() < 0.8 else rng.uniform(0.7, 1.0), ((marker, 1.0),))
    if not garbled:
        conf = rng.uniform(0.6, 0.97) if rng.random() < low_share else 1.0 - 10 ** rng.uniform(-4, -1.53)
        share = rng.uniform(0.97, 1.0)
        p1 = min(1.0, conf / share)
        alts = [(text, p1)]
        rest = (1.0 - p1) * rng.uniform(0.3, 0.9)
        for _ in range(2):
            other, _ = garble_text(text, rng)
            if value_of(key, other) is not None and other not in [a for a, _ in alts]:
                p = rest * rng.uniform(0.3, 0.8)
                alts.append((other, p))
                rest -= p
        return Reading(text, conf, tuple(alts))
    out, kind = garble_text(text, rng)
    conf = rng.uniform(0.3, 0.9)
    if kind in ("letter", "seal-smear") or value_of(key, out) is None:
        return Reading(out, conf if kind == "letter" else rng.uniform(0.05, 0.4))  # text mode: no alternatives
    share = rng.uniform(0.9, 1.0)
    p1 = min(1.0, conf / share)
    alts = [(out, p1)]
    room = 1.0 - p1
    if rng.random() < p_alt:
        p_truth = room * rng.uniform(0.2, 0.9)
        alts.append((text, p_truth))
        room -= p_truth
    other, _ = garble_text(text, rng)
    if other not in [a for a, _ in alts] and value_of(key, other) is not None:
        alts.append((other, room * rng.uniform(0.1, 0.6)))
    return Reading(out, conf, tuple(alts[:3]))


# ---------------------------------------------------------------------------------------------------------
# real OCR of rendered, degraded crops


def render_crop(text: str, rng: random.Random, heavy: bool):  # -> np.ndarray (BGR)
    import cv2
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    from govreport.layout.raster import suppress_seal

    fonts = [f for f in CJK_FONT_FILES if Path(f).exists()]
    if not fonts:  # PIL's default bitmap font would give other crops, and other figures, with no word said
        raise SystemExit("bench_repair --ocr renders crops in CJK fonts, and none is installed: "
                         "apt-get install fonts-noto-cjk fonts-wqy-zenhei fonts-arphic-uming")
    size = rng.randint(18, 30)
    font = ImageFont.truetype(rng.choice(fonts), size)
    shown = text or " "
    box = font.getbbox(shown)
    tw, th = box[2] - box[0], box[3] - box[1]
    w = max(tw + 2 * rng.randint(6, 30), int(2.5 * size))
    h = int(size * rng.uniform(1.5, 2.2))
    img = Image.new("RGB", (w, h), (255, 255, 255))
    ImageDraw.Draw(img).text(((w - tw) / 2 - box[0], (h - th) / 2 - box[1]), shown, font=font, fill=(20, 20, 20))
    arr = np.array(img)[:, :, ::-1].copy()
    if heavy:
        if rng.random() < 0.35:  # a red seal stroke across the digits, suppressed as the scan path does
            cx, cy = rng.randint(-w, 2 * w), rng.randint(h, 4 * h)
            cv2.circle(arr, (cx, cy), int(np.hypot(w, h) * rng.uniform(0.8, 1.6)), (40, 40, 200),
                       rng.randint(2, 5), cv2.LINE_AA)
            arr = suppress_seal(arr).cleaned
        op = rng.random()
        if op < 0.3:
            arr = cv2.erode(arr, np.ones((2, 2), np.uint8))  # thick ink
        elif op < 0.55:
            arr = cv2.dilate(arr, np.ones((2, 2), np.uint8))  # thin ink
        f = rng.uniform(0.3, 0.6)
        small = cv2.resize(arr, (max(4, int(w * f)), max(4, int(h * f))), interpolation=cv2.INTER_AREA)
        arr = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
        arr = cv2.GaussianBlur(arr, (0, 0), rng.uniform(0.6, 1.5))
        noise = rng.uniform(10, 28)
        specks = rng.random() < 0.4
        quality = rng.randint(12, 40)
    else:
        arr = cv2.GaussianBlur(arr, (0, 0), rng.uniform(0.3, 0.8))
        noise, specks, quality = rng.uniform(2, 8), False, rng.randint(60, 90)
    nrng = np.random.default_rng(rng.randint(0, 2**31))
    arr = np.clip(arr.astype(np.float32) + nrng.normal(0, noise, arr.shape), 0, 255).astype(np.uint8)
    if specks:
        for _ in range(rng.randint(1, 4)):
            cv2.circle(arr, (rng.randint(0, w - 1), rng.randint(0, h - 1)), rng.randint(1, 2), (30, 30, 30), -1)
    ok, enc = cv2.imencode(".jpg", arr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return cv2.imdecode(enc, cv2.IMREAD_COLOR)


class OcrLibrary:
    """Real recogniser readings of rendered texts, ``light`` and ``heavy`` variants, cached on disk.

    Each crop is read as the scan path reads a single-line cell (``govreport.ingest.scanned.read_cells``): text mode,
    then, for a short reading, decoding under the numeric alphabet; a reading that looks like a number (or is empty)
    takes the numeric decoding, any other keeps its text and carries the numeric alternatives. Crop ``i`` of a key
    is rendered from a seed of (seed, key, i), so a cache grows reproducibly.

    A text gets heavy renderings in proportion to the cells that print it (``heavy_tries``): a garbled cell takes
    one of its text's wrong heavy readings, and 0, printed in about four of five cells, would otherwise hand the
    same two or three wrong readings to hundreds of garbled cells. One per 50 cells (2026-12-06 to 12-07) still gave
    3 eleven renderings on seed 13, one of them read wrong as `’。` (decoded `.`, blank, `0`): it stood for 13 of
    the garbled 3s of the two real rows, and the figures measured how repair handled that one crop. One per 10 cells
    (2026-12-07) gives `1` about 180, `2` 90, `3` 55 (seeds 11-13), about 410 more crops per seed, a few seconds."""

    HEAVY_TRIES = 6  # heavy renderings of a text at least…
    HEAVY_MAX = 480  # …at most…
    HEAVY_PER_CELLS = 10  # …and one per this many cells printing it in between
    FORMAT = 2  # 1: text-mode readings without numeric alternatives for non-number text (before the scan path had them)

    def __init__(self, cache: Path, seed: int) -> None:
        self.cache = cache
        self.seed = seed
        self.items: dict[str, list[Reading]] = {}
        self.tries: dict[str, int] = {}  # heavy renderings per text in the corpus last ensured (a cache may hold more)
        raw = json.loads(cache.read_text("utf-8")) if cache.exists() else {}
        if raw.get("format") == self.FORMAT and raw.get("seed") == seed:
            self.items = {k: [Reading(t, c, tuple((a, p) for a, p in alts)) for t, c, alts in v]
                          for k, v in raw["items"].items()}
        elif raw:
            print(f"  OCR: {cache} is of another format or seed; reading again", flush=True)

    def save(self) -> None:
        self.cache.parent.mkdir(parents=True, exist_ok=True)
        items = {k: [[r.text, r.confidence, [list(a) for a in r.alternatives]] for r in v]
                 for k, v in self.items.items()}
        self.cache.write_text(json.dumps({"format": self.FORMAT, "seed": self.seed, "items": items},
                                         ensure_ascii=False), "utf-8")

    def heavy(self, text: str) -> list[Reading]:
        """The heavy readings of ``text`` the last ``ensure`` asked for."""
        return self.items.get(f"H|{text}", [])[: self.tries.get(text, self.HEAVY_TRIES)]

    @classmethod
    def heavy_tries(cls, cells: int) -> int:
        """Heavy renderings of a text printed in ``cells`` cells of the corpus."""
        return min(cls.HEAVY_MAX, max(cls.HEAVY_TRIES, math.ceil(cells / cls.HEAVY_PER_CELLS)))

    def ensure(self, light: Iterable[str], heavy: Mapping[str, int], light_n: int = 2) -> None:
        """Reads what the cache lacks: ``light_n`` light renderings of each text of ``light``, and ``heavy_tries``
        heavy ones of each text of ``heavy`` (text -> cells printing it)."""
        from govreport.ocr.engines import OcrOptions, make_recognizer

        self.tries.update((text, self.heavy_tries(cells)) for text, cells in heavy.items())
        todo: list[tuple[str, str, int]] = []
        for text in sorted(set(light)):
            if f"L|{text}" not in self.items:
                todo += [(f"L|{text}", text, i) for i in range(light_n)]
        for text in sorted(heavy):
            have = len(self.items.get(f"H|{text}", []))
            todo += [(f"H|{text}", text, i) for i in range(have, self.tries[text])]
        if not todo:
            return
        print(f"  OCR: reading {len(todo)} rendered crops (cached in {self.cache}) …", flush=True)
        t0 = time.perf_counter()
        crops = []
        for key, text, i in todo:
            rng = random.Random(int(hashlib.blake2b(f"{self.seed}|{key}|{i}".encode(), digest_size=8).hexdigest(),
                                    16))
            crops.append(render_crop(text, rng, heavy=key.startswith("H|")))
        rec = make_recognizer(OcrOptions())
        for (key, _, _), r in zip(todo, read_as_scan_path(rec, crops), strict=True):
            self.items.setdefault(key, []).append(
                Reading(r.text, float(r.confidence), tuple((a.text, float(a.prob)) for a in r.alternatives)))
        print(f"  OCR: {len(todo)} crops in {time.perf_counter() - t0:.0f} s", flush=True)
        self.save()


def read_as_scan_path(rec, crops: Sequence) -> list:  # (LineRecognizer, [np.ndarray]) -> [LineReading]
    """Single-line cell crops read as ``govreport.ingest.scanned.read_cells`` reads them."""
    from govreport.ingest.scanned import _looks_numeric
    from govreport.ocr.base import LineReading

    texts = rec.recognize(list(crops), [False] * len(crops))
    short = [i for i, r in enumerate(texts) if len("".join(r.text.split())) <= 6]
    again = rec.recognize([crops[i] for i in short], [True] * len(short)) if short else []
    readings = list(texts)
    for i, r in zip(short, again, strict=True):
        t = texts[i]
        readings[i] = r if _looks_numeric(t.text) or not t.text.strip() else LineReading(t.text, t.confidence,
                                                                                            r.alternatives)
    return readings


def read_value(key: str, r: Reading) -> Number | None:
    """The value a reading stands for (its first candidate, as repair makes it; None for a blank or an unreadable
    reading). A reading that is no number takes its likeliest decoding, the prior for 0 included."""
    cands = cell_candidates(pipeline_evidence(key, r))
    return cands[0].value if cands else None


def ocr_reading(lib: OcrLibrary, key: str, value: Number | None, garbled: bool, rng: random.Random,
                heavy_share: float) -> Reading:
    text = cell_text(key, value)
    if value is None:
        return Reading("", 1.0, (("", 1.0),))  # an empty crop: the recogniser's is_blank
    heavy = lib.heavy(text)
    if garbled:
        wrong = [r for r in heavy if read_value(key, r) != value]
        if wrong:
            return rng.choice(wrong)
    elif rng.random() < heavy_share:  # a badly printed or scanned cell that still reads right
        right = [r for r in heavy if read_value(key, r) == value]
        if right:
            return rng.choice(right)
    return rng.choice(lib.items[f"L|{text}"])


# ---------------------------------------------------------------------------------------------------------
# evaluation


def pipeline_evidence(key: str, r: Reading) -> CellEvidence:
    """What ``govreport.pipeline`` hands repair for a scanned cell read as ``r`` (``_field_value``, ``_repair``):
    text that is no number takes its decoding under the numeric alphabet, the first alternative, at the lower of
    the two confidences, whether or not the decoding is a number (``candidates.numeric_decoding``)."""
    alternatives = tuple(TextAlternative(text=a, prob=p) for a, p in r.alternatives)
    return CellEvidence(key, *numeric_decoding(r.text, r.confidence, alternatives), alternatives)


def evidence_of(readings: Mapping[str, Reading]) -> dict[str, CellEvidence]:
    return {k: pipeline_evidence(k, r) for k, r in readings.items()}


@dataclass
class Tally:
    docs: int = 0
    cells: int = 0
    garbled: int = 0  # read wrong, in a complete relation
    garbled_other: int = 0  # read wrong, in no complete relation (repair cannot help)
    restored: int = 0
    changes: int = 0
    right_changes: int = 0
    false_changes: int = 0  # cells read right and changed
    false_changes_confident: int = 0
    wrong_in_broken_docs: int = 0  # wrong changes in documents that break their own sums
    wrong_misprinted: int = 0  # …of a misprinted total itself (``Doc.misprinted``)
    conflicts: int = 0
    unreadable: int = 0
    flag_tp: int = 0
    flag_fp: int = 0
    flag_fn: int = 0
    unresolved: int = 0
    reported_tp: int = 0  # flags and unresolved relations together, against the relations the document breaks
    reported_fp: int = 0
    reported_fn: int = 0
    broken_docs: int = 0
    broken_docs_exact: int = 0
    broken_docs_reported_exact: int = 0  # flagged or unresolved: exactly the relations the document breaks
    consistent_docs: int = 0
    consistent_docs_unflagged: int = 0
    # self-inconsistent documents by what of their broken relations was read wrong: [flagged exactly, documents]
    broken_docs_by_reading: dict[str, list[int]] = field(default_factory=dict)
    ms: list[float] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)

    def line(self, name: str) -> str:
        def pct(a: int, b: int) -> str:
            return f"{100 * a / b:6.2f}% ({a}/{b})" if b else "   n/a"

        ms = sorted(self.ms)
        p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))] if ms else 0.0
        return (f"{name}\n"
                f"  documents {self.docs}, cells {self.cells}, garbled in complete relations {self.garbled} "
                f"(+{self.garbled_other} elsewhere)\n"
                f"  repair recall      {pct(self.restored, self.garbled)}\n"
                f"  repair precision   {pct(self.right_changes, self.changes)}; wrong changes in documents that "
                f"break their sums: {self.wrong_in_broken_docs} ({self.wrong_misprinted} of a misprinted total)\n"
                f"  false changes      {self.false_changes} of cells read right "
                f"({self.false_changes_confident} confident)\n"
                f"  conflicts          {self.conflicts}   unreadable left {self.unreadable}   "
                f"unresolved relations {self.unresolved}\n"
                f"  flag precision     {pct(self.flag_tp, self.flag_tp + self.flag_fp)}\n"
                f"  flag recall        {pct(self.flag_tp, self.flag_tp + self.flag_fn)}\n"
                f"  flagged or unresolved: precision {pct(self.reported_tp, self.reported_tp + self.reported_fp)}, "
                f"recall {pct(self.reported_tp, self.reported_tp + self.reported_fn)}; self-inconsistent documents "
                f"with exactly their broken relations flagged or unresolved "
                f"{pct(self.broken_docs_reported_exact, self.broken_docs)}\n"
                f"  self-inconsistent documents flagged exactly {pct(self.broken_docs_exact, self.broken_docs)}; "
                f"consistent documents without a flag {pct(self.consistent_docs_unflagged, self.consistent_docs)}\n"
                f"  …flagged exactly, by what of their broken relations was read wrong: "
                + "; ".join(f"{what} {pct(*self.broken_docs_by_reading.get(what, [0, 0]))}"
                            for what in BROKEN_READ_WRONG) + "\n"
                f"  ms per report      median {statistics.median(ms) if ms else 0:.2f}, p95 {p95:.2f}, "
                f"max {max(ms) if ms else 0:.2f}")


def score(tally: Tally, doc: Doc, readings: Mapping[str, Reading], result: RepairResult,
          options: RepairOptions, kinds: Mapping[str, str] | None = None) -> None:
    tally.docs += 1
    in_complete = {k for inv in doc.invariants if complete(inv, doc.truth) for k in inv.fields}
    for key, truth in doc.truth.items():
        c = result.cells[key]
        tally.cells += 1
        read_right = read_as_printed(c, truth)
        confident = pipeline_evidence(key, readings[key]).confidence >= options.confident_threshold
        if not read_right:
            if key in in_complete:
                tally.garbled += 1
                ok = c.status is ValueStatus.REPAIRED and c.value == truth
                tally.restored += ok
                if kinds is not None:
                    stats = tally.by_kind.setdefault(kinds.get(key, "?"), [0, 0])
                    stats[0] += 1
                    stats[1] += ok
            else:
                tally.garbled_other += 1
        if c.status is ValueStatus.REPAIRED:
            tally.changes += 1
            tally.right_changes += c.value == truth
            tally.wrong_in_broken_docs += c.value != truth and bool(doc.flags)
            tally.wrong_misprinted += c.value != truth and key in doc.misprinted
            if read_right:
                tally.false_changes += 1
                tally.false_changes_confident += confident
        tally.conflicts += c.status is ValueStatus.CONFLICT
        tally.unreadable += c.status is ValueStatus.UNREADABLE
    predicted, expected = set(result.flags), set(doc.flags)
    tally.flag_tp += len(predicted & expected)
    tally.flag_fp += len(predicted - expected)
    tally.flag_fn += len(expected - predicted)
    tally.unresolved += len(result.unresolved)
    reported = predicted | set(result.unresolved)
    tally.reported_tp += len(reported & expected)
    tally.reported_fp += len(reported - expected)
    tally.reported_fn += len(expected - reported)
    if expected:
        tally.broken_docs += 1
        tally.broken_docs_exact += predicted == expected
        tally.broken_docs_reported_exact += reported == expected
        row = tally.broken_docs_by_reading.setdefault(broken_read_wrong(doc, result), [0, 0])
        row[0] += predicted == expected
        row[1] += 1
    else:
        tally.consistent_docs += 1
        tally.consistent_docs_unflagged += not predicted


def run_case(doc: Doc, readings: Mapping[str, Reading], options: RepairOptions) -> tuple[RepairResult, float]:
    evidence = evidence_of(readings)
    t0 = time.perf_counter()
    result = repair_cells(evidence, doc.invariants, options)
    return result, 1000 * (time.perf_counter() - t0)


def simulate(docs: Sequence[Doc], k: int, args: argparse.Namespace, seed: int
             ) -> tuple[list[dict[str, Reading]], list[dict[str, str]]]:
    rng = random.Random(seed)
    all_readings, all_kinds = [], []
    for doc in docs:
        doc.garbled = choose_garbled(doc, k, args.rate, rng)
        readings: dict[str, Reading] = {}
        kinds: dict[str, str] = {}
        for key, value in doc.truth.items():
            r = sim_reading(key, value, key in doc.garbled, rng, args.p_alt, args.low_share)
            readings[key] = r
            if key in doc.garbled:
                kinds[key] = _kind_of(cell_text(key, value), r.text)
        all_readings.append(readings)
        all_kinds.append(kinds)
    return all_readings, all_kinds


def _kind_of(truth: str, read: str) -> str:
    if value_of("", read) is None:
        return "letter/smear"
    if len(read) < len(truth.replace(".", "")):
        return "dropped"
    if len(read) > len(truth):
        return "doubled/inserted/point"
    return "substituted"


def with_ocr(docs: Sequence[Doc], k: int, args: argparse.Namespace, seed: int, lib: OcrLibrary
             ) -> list[dict[str, Reading]]:
    rng = random.Random(seed)
    for doc in docs:
        doc.garbled = choose_garbled(doc, k, args.rate, rng)
    texts = Counter(cell_text(k_, v) for d in docs for k_, v in d.truth.items() if v is not None)
    lib.ensure(texts, texts)
    return [{key: ocr_reading(lib, key, v, key in doc.garbled, rng, args.ocr_heavy_share)
             for key, v in doc.truth.items()} for doc in docs]


def misses(doc: Doc, readings: Mapping[str, Reading], result: RepairResult, options: RepairOptions
           ) -> list[tuple[str, str]]:
    """(cause, description) of every garbled cell in a complete relation that repair did not restore."""
    out: list[tuple[str, str]] = []
    in_complete = {k for inv in doc.invariants if complete(inv, doc.truth) for k in inv.fields}
    read = {k: c.reading for k, c in result.cells.items()}
    for key, truth in doc.truth.items():
        c = result.cells[key]
        if key not in in_complete or read_as_printed(c, truth):
            continue
        if c.status is ValueStatus.REPAIRED and c.value == truth:
            continue
        ev = pipeline_evidence(key, readings[key])
        values = [cd.value for cd in c.candidates]
        rels = [inv for inv in doc.invariants if key in inv.fields]
        holds_as_read = all(all(read.get(k) is not None for k in inv.fields)
                            and abs(sum(float(read[k] or 0) for k in inv.lhs)
                                    - sum(float(read[k] or 0) for k in inv.rhs)) <= options.tolerance
                            for inv in rels)
        if not c.candidates:
            cause = "unreadable, implied value derived only" if key in result.derived else "unreadable, undetermined"
            if c.status is ValueStatus.REPAIRED:
                cause = "unreadable, implied a wrong value"
        elif ev.confidence >= options.confident_threshold:
            cause = "wrong reading at or above the confidence threshold"
        elif c.status is ValueStatus.CONFLICT:
            cause = "conflict"
        elif c.status is ValueStatus.REPAIRED:
            cause = "repaired to a wrong value"
        elif holds_as_read:
            cause = "relations hold as read"
        elif truth not in values:
            cause = "truth not among the candidates"
        else:
            cause = "truth a candidate, reading kept"
        if doc.flags and any(inv.id in doc.flags for inv in rels):
            cause += " (document breaks the relation)"
        cands = " ".join(f"{cd.value}:{cd.prob:.3f}" for cd in c.candidates[:8])
        alts = " ".join(f"{a!r}:{p:.2f}" for a, p in readings[key].alternatives[:4])
        rank = values.index(truth) if truth in values else -1
        out.append((cause, f"{key} truth {truth} read {readings[key].text!r}@{readings[key].confidence:.3f} "
                           f"[{alts}] -> {c.status.value} {c.value}; truth rank {rank}; candidates {cands}"))
    return out


def reading_groups(docs: Sequence[Doc], readings: Sequence[Mapping[str, Reading]], share: float = 0.04
                   ) -> list[dict[str, str]]:
    """Per document, a label for each misread cell: the reading and its truth where that pair makes at least
    ``share`` of all misread cells (a crop's reading repeated over many cells), else "other readings"."""
    pairs: list[dict[str, str]] = []
    for doc, rd in zip(docs, readings, strict=True):
        pairs.append({key: f"{rd[key].text!r} for {cell_text(key, v)}" for key, v in doc.truth.items()
                      if v is not None and read_value(key, rd[key]) != v})
    counts: dict[str, int] = {}
    for p in pairs:
        for label in p.values():
            counts[label] = counts.get(label, 0) + 1
    total = sum(counts.values()) or 1
    return [{key: label if counts[label] >= share * total else "other readings" for key, label in p.items()}
            for p in pairs]


def settle_heap() -> None:
    """Moves what the benchmark holds (documents, readings, the OCR library) out of the garbage collector's view
    before timing: a full collection walks every live object, and over this corpus one added 20-50 ms to whichever
    report it fell in (p95 at k = 2, seed 13: 76 ms without, 28 ms with), a cost of the benchmark's heap, not of
    repair. Repair's own garbage is still collected as it is made."""
    gc.collect()
    gc.freeze()


def evaluate(name: str, docs: Sequence[Doc], readings: Sequence[Mapping[str, Reading]], options: RepairOptions,
             kinds: Sequence[Mapping[str, str]] | None = None, show_misses: int = 0) -> Tally:
    settle_heap()
    tally = Tally()
    missed: list[tuple[str, str]] = []
    for i, (doc, rd) in enumerate(zip(docs, readings, strict=True)):
        result, ms = run_case(doc, rd, options)
        tally.ms.append(ms)
        score(tally, doc, rd, result, options, kinds[i] if kinds is not None else None)
        if show_misses:
            missed += [(cause, f"doc {i}: {text}") for cause, text in misses(doc, rd, result, options)]
    print(tally.line(name))
    if tally.by_kind:
        print("  recall by garbling: " + ", ".join(f"{kd} {ok}/{n}" for kd, (n, ok) in sorted(tally.by_kind.items())))
    if show_misses:
        causes: dict[str, list[str]] = {}
        for cause, text in missed:
            causes.setdefault(cause, []).append(text)
        print(f"  misses ({len(missed)}) by cause:")
        for cause, texts in sorted(causes.items(), key=lambda kv: -len(kv[1])):
            print(f"    {len(texts):4d}  {cause}")
            for text in texts[:show_misses]:
                print(f"          {text}")
    return tally


def clean_flags(docs: Sequence[Doc], options: RepairOptions) -> None:
    """Every cell read right and confidently (as a text layer or a clean scan gives them): flags only."""
    settle_heap()
    tally = Tally()
    for doc in docs:
        readings = {k: Reading(cell_text(k, v), 1.0 if v is None else 0.999) for k, v in doc.truth.items()}
        result, ms = run_case(doc, readings, options)
        tally.ms.append(ms)
        score(tally, doc, readings, result, options)
    print(tally.line("clean readings (nothing garbled)"))


def calibration_cases(docs: Sequence[Doc], readings: Sequence[Mapping[str, Reading]]) -> list[CalibrationCase]:
    return [CalibrationCase(evidence_of(rd), doc.truth, doc.invariants) for doc, rd in zip(docs, readings,
                                                                                          strict=True)]


def calibrate(name: str, cases: Sequence[CalibrationCase], options: RepairOptions) -> float:
    cal = calibrate_threshold(cases, options=options)
    print(f"threshold sweep on {name} ({len(cases)} documents)")
    print("  threshold  recall            precision   false changes  false flags  missed flags  conflicts")
    for s in cal.scores:
        mark = "  <- chosen" if s.threshold == cal.threshold else ""
        print(f"  {s.threshold:9.4f}  {100 * s.recall:6.2f}% ({s.restored:4d}/{s.garbled:4d})  "
              f"{100 * s.precision:7.2f}%   {s.false_changes:13d}  {s.false_flags:11d}  {s.missed_flags:12d}  "
              f"{s.conflicts:9d}{mark}")
    return cal.threshold


def candidate_table(name: str, cases: Sequence[CalibrationCase], options: RepairOptions, min_n: int = 20) -> None:
    """The candidates of the unsure cells by kind and probability band: how many should be the truth (their
    probabilities summed) and how many are (``calibrate.candidate_calibration``)."""
    rows = [b for b in candidate_calibration(cases, options) if b.n >= min_n]
    print(f"candidate calibration on {name} (unsure cells; kinds and bands of {min_n} or more candidates)")
    print("  kind                 band          n   expected  truth  truth/expected")
    for b in rows:
        print(f"  {b.kind:20s} [{b.low:.2f},{b.high:.2f}) {b.n:6d}  {b.expected:9.1f}  {b.hits:5d}  {b.ratio:6.2f}")


def confidence_summary(name: str, docs: Sequence[Doc], readings: Sequence[Mapping[str, Reading]]) -> None:
    right, wrong = [], []
    for doc, rd in zip(docs, readings, strict=True):
        for key, v in doc.truth.items():
            if v is None:
                continue
            (right if read_value(key, rd[key]) == v else wrong).append(pipeline_evidence(key, rd[key]).confidence)
    qs = (0.01, 0.05, 0.1, 0.5)

    def quant(xs: list[float], q: float) -> float:
        return sorted(xs)[int(q * (len(xs) - 1))] if xs else float("nan")

    print(f"confidences on {name}: read right n={len(right)} "
          + " ".join(f"q{int(100 * q)}={quant(right, q):.3f}" for q in qs)
          + f"; read wrong n={len(wrong)} max={max(wrong) if wrong else float('nan'):.3f} "
          + " ".join(f"q{int(100 * q)}={quant(wrong, 1 - q):.3f}" for q in (0.5, 0.1, 0.05)))


_BOOLS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def option_settings(settings: Sequence[str]) -> dict[str, object]:
    """``FIELD=VALUE`` strings as RepairOptions fields, each value of its field's type."""
    fields = {f.name: type(getattr(RepairOptions(), f.name)) for f in dataclasses.fields(RepairOptions)}
    out: dict[str, object] = {}
    for setting in settings:
        name, sep, value = setting.partition("=")
        if not sep or name not in fields:
            raise SystemExit(f"--set {setting!r}: expected FIELD=VALUE with FIELD one of {', '.join(sorted(fields))}")
        kind = fields[name]
        try:
            out[name] = _BOOLS[value.lower()] if kind is bool else kind(value)
        except (KeyError, ValueError):
            raise SystemExit(f"--set {setting!r}: {value!r} is no {kind.__name__}") from None
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="documents per k")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--k", default="1,2", help="garbled cells per relation, comma separated")
    ap.add_argument("--rate", type=float, default=0.03, help="share of cells in complete relations to garble")
    ap.add_argument("--share-broken", type=float, default=0.15, help="share of documents that break their sums")
    ap.add_argument("--p-alt", type=float, default=0.7, help="simulated: truth among OCR alternatives")
    ap.add_argument("--low-share", type=float, default=0.08, help="simulated: correct cells read below 0.97")
    ap.add_argument("--threshold", type=float, default=None, help="confident threshold (default: calibrated)")
    ap.add_argument("--penalty", type=float, default=None, help="release penalty (default: RepairOptions')")
    ap.add_argument("--margin", type=float, default=None, help="conflict margin (default: RepairOptions')")
    ap.add_argument("--printed-error", type=float, default=None,
                    help="printed-error penalty, 0 for none (default: RepairOptions')")
    ap.add_argument("--lost-reading", type=int, default=None,
                    help="most doubted readings solved again as lost numbers, 0 for none (default: RepairOptions')")
    ap.add_argument("--zero-odds", type=float, default=None,
                    help="prior odds of 0 weighting a candidate 0, 1 for none (default: RepairOptions')")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                    help="any other RepairOptions field (repeatable), e.g. --set flag_min_reading_prob=0.98")
    ap.add_argument("--ocr", action="store_true", help="also real OCR of rendered, degraded crops")
    ap.add_argument("--ocr-n", type=int, default=80, help="documents per k in the OCR corpus")
    ap.add_argument("--ocr-heavy-share", type=float, default=0.1,
                    help="real OCR: share of the cells left right that are read from a heavily degraded crop")
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "govreport" / "bench_repair_ocr2.json")
    ap.add_argument("--calibrate", action="store_true", help="sweep the confidence threshold")
    ap.add_argument("--candidates", action="store_true",
                    help="real OCR: how often candidates of each kind and probability are the truth")
    ap.add_argument("--misses", type=int, default=0, metavar="N",
                    help="list the garbled cells repair did not restore, by cause (N examples per cause)")
    args = ap.parse_args()

    overrides = {"confident_threshold": args.threshold, "release_penalty": args.penalty,
                 "conflict_margin": args.margin, "printed_error_penalty": args.printed_error,
                 "lost_reading_max": args.lost_reading, "zero_odds": args.zero_odds}
    options = RepairOptions(**{k: v for k, v in overrides.items() if v is not None}, **option_settings(args.set))
    print(f"options: {options}")
    ks = [int(x) for x in args.k.split(",")]
    base = make_docs(max(args.n, args.ocr_n if args.ocr else 0), random.Random(args.seed), args.share_broken)
    clean_flags(base[: args.n], options)
    for k in ks:
        docs = [dataclasses.replace(d, garbled=set()) for d in base[: args.n]]
        readings, kinds = simulate(docs, k, args, args.seed * 100 + k)
        if args.calibrate:
            calibrate(f"simulated OCR, k={k} (for information)", calibration_cases(docs, readings), options)
        evaluate(f"simulated OCR, k={k} garbled per relation", docs, readings, options, kinds, args.misses)
    ocr_cases: list[CalibrationCase] = []
    if args.ocr:
        lib = OcrLibrary(args.cache, args.seed)
        ocr_base = base[: args.ocr_n]
        for k in ks:
            docs = [dataclasses.replace(d, garbled=set()) for d in ocr_base]
            readings = with_ocr(docs, k, args, args.seed * 1000 + k, lib)
            confidence_summary(f"real OCR, k={k}", docs, readings)
            cases = calibration_cases(docs, readings)
            ocr_cases += cases
            if args.candidates:
                candidate_table(f"real OCR, k={k}", cases, options)
            evaluate(f"real OCR of degraded crops, k={k} garbled per relation", docs, readings, options,
                     reading_groups(docs, readings), show_misses=args.misses)
    if args.calibrate:
        if ocr_cases:
            chosen = calibrate(f"real OCR, k={args.k} together (this decides)", ocr_cases, options)
            print(f"calibrated confident_threshold: {chosen} (repair.CALIBRATED_THRESHOLD is "
                  f"{CALIBRATED_THRESHOLD})")
        else:
            print("(run with --ocr for the calibration that decides: real recogniser confidences)")
        print()
        print(calibrate_threshold.__doc__)


if __name__ == "__main__":
    main()
