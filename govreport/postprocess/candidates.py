"""Readings a numeric cell may stand for, with probabilities: the input of the joint repair.

A cell read from a scan has a recognised text, a confidence and (numeric mode) the recogniser's top alternatives
with their probabilities (``govreport.ocr.ctc.prefix_beam_search``). OCR garbles digits in known ways; each way
gives a candidate reading with a small prior:

* the recogniser's own alternatives (origin ``ocr-alternative``), weighted by their model probabilities;
* letters for digits (``O``/``0``, ``l``/``I``/``1``, ``S``/``5``, ``B``/``8``, ``Z``/``2``, ``G``/``6``; origin
  ``confusion:B/8``), where the text-mode reading kept a letter;
* one digit read as a look-alike (``3``/``8``, ``6``/``8``, ``1``/``7`` …; origin ``confusion:3/8``);
* a digit dropped (``dropped-digit``: a doubled digit read once is the likely case), doubled (``doubled-digit``),
  a speck read as a digit (``spurious-digit``), two digits swapped (``swapped-digits``);
* a decimal point or thousands separator lost or added (``spurious-point``, ``lost-point``, ``separator``);
* under a seal, a digit at either end of the reading is a stroke of the seal (``seal-stroke``: 40 for a 0 beside
  the ring), sharing what the reading leaves like the lines of a cell read as several lines (``line-of-cell``);
* a blank alternative against a printed number counts as 0 (``confusion:blank/0``). An empty reading below
  ``EMPTY_IS_BLANK`` (ink in the crop, nothing recognised: often a faint 0) is not a printed blank but a lost
  number, and text that is no number at all (a seal smear, a number read as a Chinese character or a letter, which
  happens to whole multi-digit numbers) has no candidate either, nor a mark whose numeric decodings name no number
  (a faint 1 read as ``,`` with the decodings ``,``, ``.`` and blank): all are unreadable, and the relations may
  imply their value (``repair``). A reading that is no number but has numbers among its decodings takes those, and
  their garblings only as much again.

The recognised reading (origin ``read``) gets the cell's confidence as its probability and stays the most
probable candidate; the recogniser's alternatives keep their probabilities (on the confidence's scale); what is
left is shared by the confusions in proportion to their priors. Candidates with the same value are merged (their
probabilities add). Last, a candidate 0 is weighted by its prior odds (``ZERO_ODDS``): the recogniser says what the
ink looks like, and 0 is most of what a report prints. A printed blank (empty crop or a blank marker such as ``—``)
has one candidate, the blank: repair never puts a number into a blank cell (but ``lone_markers`` finds the markers
that a report printing its zeros more likely printed as 0: a faint 0 reads as ``一``). Text-layer cells have one
certain candidate. Counts never take a negative or fractional value; a 2019 本年增/减 change keeps the sign it was read
with.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from govreport.ir import TextAlternative
from govreport.postprocess.numbers import ParseOutcome, parse_number
from govreport.textnorm import nfkc, squash, text_lines

Number = int | float
ValueKind = Literal["count", "signed", "amount"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One reading of a cell: its value (None = printed blank), its probability, and why it is a candidate."""

    value: Number | None
    prob: float
    origin: str  # "read", "blank", "ocr-alternative", "confusion:B/8", "dropped-digit", …


@dataclass(frozen=True)
class CellEvidence:
    """What the reader knows about one cell under its field key."""

    key: str
    raw_text: str
    confidence: float  # 0..1, the reader's confidence in ``raw_text``
    alternatives: Sequence[TextAlternative] = field(default_factory=tuple)  # best first (OCR numeric mode)
    digital: bool = False  # read from a text layer / DOCX / HTML: certain
    seal: bool = False  # a red seal covered the cell on the scan

    @property
    def kind(self) -> ValueKind:
        return value_kind(self.key)


def value_kind(key: str) -> ValueKind:
    """Amounts (万元) may be decimals; a 2019 本年增/减 change may be negative; everything else is a count."""
    if key.endswith(".amount"):
        return "amount"
    if key.endswith(".change_this_year"):
        return "signed"
    return "count"


# Letters a text-mode recogniser may name for a digit.
LETTER_DIGITS: dict[str, str] = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "〇": "0",
    "l": "1", "I": "1", "i": "1", "|": "1", "!": "1", "丨": "1",
    "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6", "b": "6", "g": "9", "q": "9", "T": "7",
}

# The letters above that a line under a seal may show alone for a digit: the round ones for 0 and the upright
# ones for 1 (a stroke of the seal's lettering reads as one of the others far too often).
_LONE_DIGIT_LETTERS: dict[str, str] = {ch: LETTER_DIGITS[ch] for ch in "Oo〇DlI|"}


def number_among_lines(text: str) -> str | None:
    """The number every line of a cell shows, where a seal's ring cut one printed number into pieces read
    apart (``0`` over ``O``); None where a line shows no number or another one. (A line of the seal's own
    lettering beside a digit, ``9`` over ``服``, is not taken: in a blank cell its strokes read as digits too.)"""
    found: set[str] = set()
    for line in text_lines(text):
        t = _LONE_DIGIT_LETTERS.get(line, line)
        if parse_number(t).outcome is not ParseOutcome.NUMBER:
            return None
        found.add(t)
    return found.pop() if len(found) == 1 else None


def number_beside_lettering(text: str) -> str | None:
    """The one line of a cell's reading that is a lone ``0``, where every other line is text without a digit (a
    seal's lettering, ``公民`` over ``0``); None otherwise. Only a 0: in a blank cell under a seal the lettering's
    straight strokes read as 1 or 8 beside its other characters, seldom as a round 0. A line that is a blank marker
    or a digit's look-alike letter is no such text: the cell may be a number cut in pieces."""
    lines = text_lines(text)
    if len(lines) < 2:
        return None
    zeros = [i for i, t in enumerate(lines) if nfkc(t) == "0"]
    if len(zeros) != 1:
        return None
    rest = lines[:zeros[0]] + lines[zeros[0] + 1:]
    for t in rest:
        if parse_number(t).outcome is not ParseOutcome.UNREADABLE or any(
                ch.isdigit() or ch in LETTER_DIGITS for ch in nfkc(t)):
            return None
    return lines[zeros[0]]


# Digits printed in table fonts that recognisers take for one another, with a relative weight (symmetric).
_DIGIT_PAIRS: dict[tuple[str, str], float] = {
    ("3", "8"): 1.0, ("6", "8"): 0.8, ("0", "8"): 0.6, ("8", "9"): 0.6, ("5", "6"): 0.6, ("1", "7"): 0.6,
    ("0", "6"): 0.5, ("0", "9"): 0.5, ("3", "5"): 0.5, ("5", "8"): 0.4, ("2", "7"): 0.4, ("2", "3"): 0.3,
    ("1", "4"): 0.3, ("4", "9"): 0.3, ("3", "9"): 0.2, ("6", "9"): 0.2, ("0", "3"): 0.2, ("1", "2"): 0.1,
    ("4", "6"): 0.1, ("7", "9"): 0.1, ("0", "2"): 0.1, ("5", "9"): 0.1, ("0", "1"): 0.1, ("1", "8"): 0.05,
    ("1", "3"): 0.3,  # a thinned 3 reads 1 at 0.92 (real OCR of heavy renderings, bench_repair seed 13: 23 cells)
}
DIGIT_CONFUSIONS: dict[str, dict[str, float]] = {}
for (_a, _b), _w in _DIGIT_PAIRS.items():
    DIGIT_CONFUSIONS.setdefault(_a, {})[_b] = _w
    DIGIT_CONFUSIONS.setdefault(_b, {})[_a] = _w

# Priors of the kinds of garbling (relative; a substitution is further weighted by its digit pair).
W_SUBSTITUTION = 0.35
W_DOUBLED = 0.25  # the reading shows a digit twice that is printed once
W_DROPPED_REPEAT = 0.15  # a repeated digit read once
W_DROPPED_ANY = 0.004  # any other digit lost
W_SPURIOUS_RULING = 0.2  # a ruling line at the crop's edge read as a 1
W_SPURIOUS_EDGE = 0.06  # a speck beside the number read as a digit
W_SPURIOUS = 0.02  # …or between its digits
W_SWAPPED = 0.02
W_POINT_IN_COUNT = 0.8  # a point in a count is a thousands separator or a speck
W_FRACTION_IN_COUNT = 0.1  # …or a speck followed by a spurious digit
W_LOST_POINT = 0.08  # amounts: a decimal point lost
W_SPURIOUS_POINT = 0.05  # amounts: a speck read as a decimal point
MIN_RESERVE = 0.05  # share of (1 - confidence) always left to the confusions
# Share of what an unsure reading leaves that goes to 0 whatever was read: 0 is most of a report's cells (78% of the
# repair benchmark's), and a badly printed 0 reads as letters or digits no confusion gives back (`A` read 4 at 0.695,
# `Jarb` decoded 200). Real OCR (bench_repair, seeds 11/12/13, 2026-12-06), 0 -> 0.02: k = 1 recall +0.38/+1.63/
# +0.62 points, k = 2 +0.68/+2.14/+0.37; precision -0.20/+0.01/0 (k = 1; seed 11: a 0 read `0` at 0.37 and a 2 read
# `科9` swapped) and +0.11/+0.53/0 (k = 2); false flags on seed 12 k = 1 7 -> 3. 0.1 restores more on seed 12 but
# loses precision (99.40%). A reading that is no number keeps it too, its share of the alternatives' mass (`;` at
# 0.31 decoded `,` `.` and `1` had only 1 and 1's look-alikes): seed 11 k = 1 restored 999 -> 1005 (wrong changes
# 5 -> 4, a false flag gone), k = 2 1014 -> 1019; seeds 12 and 13 and the simulated rows unchanged (2026-12-06).
W_ZERO = 0.02
# Prior odds of 0 against any other value, by which a cell's candidate 0 is weighted before normalising: the
# recogniser's probabilities say what the ink looks like, not what a report prints, and 0 is most of a report's
# cells (55% and 85% of the two labelled real reports', tests/data/labels; 78% of the repair benchmark's). So an
# unsure 0 changes to a look-alike only where its relations need that clearly, and an unsure look-alike of 0 goes
# back to 0 more readily. The reading stays the first candidate whatever its value (``READ_LEAD``). Calibrated on
# real OCR (bench_repair --ocr, seeds 11/12/13, k = 1 and 2, 2026-12-06): 1 -> 8 restored 5,735 -> 5,843 garbled
# cells of the six rows with 53 -> 40 wrong changes; 3, 5, 12 and 20 made 41-46 (benchmarks/README).
ZERO_ODDS = 8.0
MIN_PROB = 0.002  # candidates less likely than this are dropped (too implausible to explain a sum)
READ_LEAD = 0.95  # no other candidate gets more than this share of the reading's probability
# A number read as digits (``5``, ``7.``; not letters taken for digits, ``T`` for 7) at this confidence or more is no
# speck of a 0's ink: it keeps no ``W_ZERO`` share, its 0 comes from its look-alikes (1/0, 6/0, 8/0, 9/0) and the
# recogniser's alternatives alone. Real OCR (bench_repair, seeds 11/12/13, k = 1 and 2, 2026-12-07): of the cells
# repaired to that 0, none read so was right and 3 were wrong (`5` at 0.975, `4` at 0.862, `7.` at 0.856, each
# hiding a total the document misprinted); wrong changes 39 -> 36 over the six rows (benchmarks/README).
READ_FOR_ZERO_BELOW = 0.8
READ_FOR_ZERO = "read-for-0"  # origin of the 0 every unsure reading keeps as a candidate (``W_ZERO``)
# origins of values repair gives where the reading names no candidate for them
IMPLIED = "implied"  # a value the relations gave a cell with no reading (an unreadable cell)
LOST_READING = "lost-reading"  # an unsure reading solved again as a lost number (``passes._lost_readings``)
EMPTY_IS_BLANK = 0.99  # an empty reading below this confidence had ink in the crop: a lost number, not a blank
MAX_DIGITS = 9  # longer digit runs are not garbled further (no table cell prints one)

_DASHES = str.maketrans({"−": "-", "－": "-", "﹣": "-", "＋": "+", "，": ",", "。": ".", "．": "."})
_CORE_RE = re.compile(r"^(?P<sign>[+\-]?)(?P<int>\d[\d,]*)(?:\.(?P<frac>\d+))?(?P<rest>.*)$")


@dataclass(frozen=True)
class _Core:
    """The numeric part of a reading: sign, integer digits (separators removed), fraction digits or None."""

    sign: str
    digits: str
    frac: str | None

    def value(self, kind: ValueKind) -> Number | None:
        if not self.digits or len(self.digits) > MAX_DIGITS + 3:
            return None
        if self.frac is not None and kind != "amount":
            return None
        negative = self.sign == "-" and kind == "signed"
        if self.frac is not None:
            v: Number = round(float(f"{self.digits}.{self.frac}"), 2)
        else:
            v = int(self.digits)
        return -v if negative and v else v


def _clean(text: str) -> str:
    return squash(nfkc(text)).translate(_DASHES)


def _core(text: str) -> _Core | None:
    m = _CORE_RE.match(_clean(text))
    if not m:
        return None
    rest = m.group("rest")
    if rest and rest[0] not in "(（[元万件个项条宗次":
        return None
    return _Core(m.group("sign"), m.group("int").replace(",", ""), m.group("frac"))


def _letters_to_digits(text: str) -> tuple[str, str] | None:
    """The text with look-alike letters read as digits, and the first swap made (``B/8``); None if none."""
    first = ""
    out = []
    for ch in _clean(text):
        d = LETTER_DIGITS.get(ch)
        if d is not None:
            first = first or f"{ch}/{d}"
            out.append(d)
        else:
            out.append(ch)
    return ("".join(out), first) if first else None


def decoded_value(text: str, kind: ValueKind = "count") -> Number | None:
    """The number one recognised text names as ``cell_candidates`` reads it (letters for look-alike digits, a speck
    beside the number dropped), or None."""
    return _reading(text, kind)[0]


@lru_cache(maxsize=65536)
def _reading(text: str, kind: ValueKind) -> tuple[Number | None, _Core | None, str, bool]:
    """(value, core, origin, blank) of one recognised text; value None where it is not a number."""
    parsed = parse_number(text)
    if parsed.outcome is ParseOutcome.BLANK:
        return None, None, "blank", True
    if parsed.outcome is not ParseOutcome.NUMBER and len(text_lines(text)) > 1:
        # Lines of a seal's strokes and lettering (80 over 6 over Z) are no one number to garble back: joined and
        # read with Z as 2 they made 8062.
        return None, None, "unreadable", False
    core = _core(text) if parsed.outcome is ParseOutcome.NUMBER else None
    if core is not None:
        return _count_value(core, kind, "read")
    swapped = _letters_to_digits(text)
    if swapped is not None:
        core = _core(swapped[0])
        if core is not None:
            return _count_value(core, kind, f"confusion:{swapped[1]}")
    joined = _clean(re.sub(r"(?<=\d)[\s\u3000]+(?=\d)", "", nfkc(text)))
    if joined != _clean(text):
        core = _core(joined)
        if core is not None:
            return _count_value(core, kind, "separator")
    stripped = _clean(text).strip(".,·:;'`_-~•°\"“”‘’")
    if stripped and stripped != _clean(text):  # a speck read as a point or comma before or after the number
        parsed = parse_number(stripped)
        if parsed.outcome is ParseOutcome.NUMBER:
            core = _core(stripped)
            if core is not None:
                return _count_value(core, kind, "spurious-mark")
    core = _core(text)  # a separator in the wrong place (``1,23``), a point in a count (``1.234``)
    if core is not None:
        if core.frac is not None and kind != "amount":
            joined_core = _Core(core.sign, core.digits + core.frac, None)
            return joined_core.value(kind), joined_core, "spurious-point", False
        return _count_value(core, kind, "separator")
    return None, None, "unreadable", False


def _count_value(core: _Core, kind: ValueKind, origin: str) -> tuple[Number | None, _Core | None, str, bool]:
    if core.frac is not None and kind != "amount":
        joined = _Core(core.sign, core.digits + core.frac, None)
        return joined.value(kind), joined, "spurious-point", False
    return core.value(kind), core, origin, False


def confusions(core: _Core, kind: ValueKind) -> tuple[tuple[Number, float, str], ...]:
    """(value, prior weight, origin) of the readings one garbling away from ``core``, merged by value, heaviest
    first, cut to the ``CONFUSION_TABLE`` heaviest; weights are shares of all the garblings' weight (at least 1)."""
    return _confusion_table(core, kind)


CONFUSION_TABLE = 40


@lru_cache(maxsize=16384)
def _confusion_table(core: _Core, kind: ValueKind) -> tuple[tuple[Number, float, str], ...]:
    agg: dict[Number, list] = {}
    total = 0.0
    for how, v, w in _garblings(core, kind):
        total += w
        entry = agg.get(v)
        if entry is None:
            agg[v] = [w, how, w]
        else:
            entry[0] += w
            if w > entry[2]:
                entry[1], entry[2] = how, w
    norm = max(1.0, total)
    rows = sorted(((v, e[0] / norm, e[1]) for v, e in agg.items()), key=lambda r: (-r[1], float(r[0])))
    return tuple(rows[:CONFUSION_TABLE])


def _garblings(core: _Core, kind: ValueKind) -> Iterator[tuple[str, Number, float]]:
    digits, frac = core.digits, core.frac
    whole = digits + (frac or "")
    if len(whole) > MAX_DIGITS:
        return

    def make(int_part: str, frac_part: str | None, origin: str, weight: float) -> Iterator[tuple[str, Number, float]]:
        if not int_part or (len(int_part) > 1 and int_part[0] == "0" and digits[0] != "0"):
            return  # a leading zero nobody printed: not a way "07" or "00" could have been misread
        v = _Core(core.sign, int_part, frac_part).value(kind)
        if v is not None:
            yield origin, v, weight

    def split(s: str) -> tuple[str, str | None]:
        return (s[: len(digits)], s[len(digits):]) if frac is not None else (s, None)

    for i, ch in enumerate(whole):
        for d, w in DIGIT_CONFUSIONS.get(ch, {}).items():
            yield from make(*split(whole[:i] + d + whole[i + 1:]), f"confusion:{ch}/{d}", W_SUBSTITUTION * w)
    for i in range(len(digits) - 1):
        if digits[i] == digits[i + 1]:
            yield from make(digits[:i] + digits[i + 1:], frac, "doubled-digit", W_DOUBLED)
    for i in range(len(digits)):
        yield from make(digits[:i + 1] + digits[i:], frac, "dropped-digit", W_DROPPED_REPEAT)
    for i in range(len(digits) + 1):
        for d in "0123456789":
            yield from make(digits[:i] + d + digits[i:], frac, "dropped-digit", W_DROPPED_ANY)
    if len(digits) > 1:
        for i in range(len(digits)):
            edge = i in (0, len(digits) - 1)
            weight = W_SPURIOUS_RULING if edge and digits[i] == "1" else W_SPURIOUS_EDGE if edge else W_SPURIOUS
            yield from make(digits[:i] + digits[i + 1:], frac, "spurious-digit", weight)
        for i in range(len(digits) - 1):
            if digits[i] != digits[i + 1]:
                swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]
                yield from make(swapped, frac, "swapped-digits", W_SWAPPED)
    if kind == "amount":
        if frac is None and len(digits) >= 3:
            yield from make(digits[:-2], digits[-2:], "lost-point", W_LOST_POINT)
        if frac is not None:
            yield from make(digits + frac, None, "spurious-point", W_SPURIOUS_POINT)


LINE_SHARE = 0.5  # of what a reading of several lines leaves, the share its lines' own numbers take together


def is_lost_reading(text: str, confidence: float, digital: bool = False) -> bool:
    """An empty scanned reading below ``EMPTY_IS_BLANK``: ink in the crop (a recogniser reads an empty crop as ""
    with confidence 1) but nothing read, a lost number rather than a printed blank."""
    return not digital and not text.strip() and confidence < EMPTY_IS_BLANK


def numeric_decoding(text: str, confidence: float, alternatives: Sequence[TextAlternative]) -> tuple[str, float]:
    """The text a value cell stands for, and its confidence: text that is no number gives way to its decoding under
    the numeric alphabet (the first alternative) at the lower of the two confidences, whether or not the decoding is
    a number either; other text stays as read."""
    if alternatives and parse_number(text).outcome is ParseOutcome.UNREADABLE:
        best = alternatives[0]
        return best.text, min(confidence, best.prob)
    return text, confidence


def cell_candidates(ev: CellEvidence, max_candidates: int = 12, zero_odds: float = ZERO_ODDS,
                    factors: Mapping[str, Mapping[float, float]] | None = None) -> list[Candidate]:
    """The candidate readings of one cell, best first, probabilities summing to 1.

    Empty where nothing numeric can be made of the text (an unreadable cell). The first candidate is the reading
    (origin ``read``, or the confusion that made the recognised text a number). A candidate 0 is weighted by
    ``zero_odds`` (``ZERO_ODDS``; 1 for the recogniser's probabilities alone); the others are matched to how often
    their kind is the truth by ``factors`` (``CANDIDATE_FACTORS``; None for the priors alone, see ``calibrated``).
    """
    if max_candidates < 1:
        raise ValueError(f"max_candidates must be >= 1, not {max_candidates}")
    if not zero_odds > 0:
        raise ValueError(f"zero_odds must be positive, not {zero_odds}")
    kind = ev.kind
    value, core, origin, blank = _reading(ev.raw_text, kind)
    if blank and is_lost_reading(ev.raw_text, ev.confidence, ev.digital):
        return []
    if blank:
        return [Candidate(None, 1.0, "blank")]
    if ev.digital:
        return [] if value is None else [Candidate(value, 1.0, origin)]

    conf = min(max(ev.confidence, 0.01), 0.9999)
    masses: dict[Number, list] = {}  # value -> [mass, origin of its heaviest part, that part's mass]
    nonneg = kind == "count"

    # the recogniser's alternatives, on the confidence's scale
    alts = [(a.prob, _reading(a.text, kind)) for a in ev.alternatives if a.prob > 0.0]
    if value is None and not any(v is not None for _, (v, _, _, _) in alts):
        return []  # a mark that is no number, and no number among its decodings: unreadable, not a certain 0

    scale = 1.0
    for p, (v, _, _, _) in alts:
        if v is not None and v == value:
            scale = min(1.0, conf / p)
            break
    others: list[tuple[Number, float, str]] = []
    for p, (v, _, how, is_blank) in alts:
        if is_blank:
            others.append((0, p * scale, "confusion:blank/0"))
        elif v is not None and v != value:
            others.append((v, p * scale, "ocr-alternative" if how == "read" else how))
    # A reading of several lines that parses as one number (87 over 0 read as 870): each line's own number may be
    # the cell's, the others a seal's strokes or a neighbour's digit; they share what the reading leaves.
    lines = text_lines(ev.raw_text)
    if len(lines) > 1:
        for line in lines:
            v = _reading(line, kind)[0]
            if v is not None and v != value:
                others.append((v, LINE_SHARE * (1.0 - conf) / len(lines), "line-of-cell"))
    # Under a seal, a digit at either end of a reading of several digits may be a stroke of the seal beside the
    # printed number (its ring or lettering left of a 0 read as 40 or 90): the number without it shares what the
    # reading leaves as much as a line of a cell does. (A reading of several lines has its lines' numbers instead.)
    if ev.seal and len(lines) == 1 and core is not None and value is not None and core.frac is None \
            and len(core.digits) > 1:
        ends = {core.digits[1:], core.digits[:-1]}
        for digits in ends:
            v = _Core(core.sign, digits, None).value(kind)
            if v is not None and v != value and not (len(digits) > 1 and digits[0] == "0"):
                others.append((v, LINE_SHARE * (1.0 - conf) / len(ends), "seal-stroke"))
    read_mass = conf if value is not None else 0.0
    reserve = max(MIN_RESERVE * (1.0 - conf), 1e-6)
    if value is not None and origin == "read":
        # A clean reading whose other decodings name the same number with a mark beside it (`0.`, `0,` for `0`): the
        # recogniser doubted the mark, not the number, and their share is the reading's, not the confusions'. (A `0`
        # read at 0.77 beside `0.` at 0.22 kept 0.23 for its garblings, and a total the document misprinted by 6 took
        # it for a misread 6: a conflict, not a flag.) Real OCR (bench_repair --ocr, seeds 11/12/13, k = 1 and 2,
        # 2026-12-07): documents flagged exactly +1 on seed 12 at each k, restored cells +1 over the six rows, no wrong
        # change more; end to end, heavy scans seed 15 99.62% -> 99.68%. Counted as well for readings with a mark of
        # their own (`7.` beside `7`; `.0` for a 10, decoded `0` besides): 3 cells fewer restored, a consistent
        # document flagged (and 4 wrong changes fewer).
        same = [p for p, (v, _, _, _) in alts if v is not None and v == value]
        read_mass = min(conf + sum(same[1:]) * scale, 1.0 - reserve)
    room = max(0.0, 1.0 - read_mass - reserve)
    alt_total = sum(m for _, m, _ in others)
    shrink = min(1.0, room / alt_total) if alt_total > 0 else 1.0
    rows: list[tuple[Number, float, str]] = []
    if value is not None:
        rows.append((value, read_mass, origin))
    rows += [(v, m * shrink, how) for v, m, how in others]
    # what the reading leaves goes to the garblings; a reading that is no number says nothing of the value, so there
    # the alternatives' garblings get only as much as the alternatives themselves
    rest = max(reserve, 1.0 - read_mass - alt_total * shrink) if value is not None else alt_total * shrink

    # the known garblings of every numeric reading, weighted by the reading's share (the reading's own in full,
    # the alternatives' only their likeliest few)
    bases: list[tuple[_Core, float, int]] = []
    if core is not None:
        bases.append((core, read_mass, max_candidates + 4))
    for p, (v, c, _, _) in alts:
        if c is not None and v is not None and v != value:
            bases.append((c, p * scale * shrink, min(4, max_candidates)))
    base_total = sum(m for _, m, _ in bases)
    for base, share, n in bases:
        k = rest * share / base_total
        rows += [(v, k * w, how) for v, w, how in confusions(base, kind)[:n]]

    if value != 0 and (value is None or origin.startswith("confusion:") or conf < READ_FOR_ZERO_BELOW):
        # also where the reading is no number (`;`, its decodings `,` `.` `1`): a speck or a smear of a 0's ink
        # (W_ZERO = 0 gives no mass: dropped below)
        rows.append((0, W_ZERO * rest, READ_FOR_ZERO))
    for v, mass, how in rows:
        if mass <= 0.0 or (nonneg and v < 0):
            continue
        entry = masses.get(v)
        if entry is None:
            masses[v] = [mass, how, mass]
        else:
            entry[0] += mass
            if mass > entry[2] and v != value:  # the reading keeps its own origin
                entry[1], entry[2] = how, mass

    if not masses:
        return []
    if 0 in masses:
        masses[0][0] *= zero_odds
    return calibrated(_finish(masses, value, max_candidates), factors)


# ---------------------------------------------------------------------------------------------------------
# the candidates' probabilities matched to how often each kind is the truth

CANDIDATE_BANDS = (0.0, 0.01, 0.03, 0.1, 0.3, 0.6, 0.9, 1.0)  # probability bands the factors are fitted in

# Hits over expected, (hits + 2) / (expected + 2), of each kind of candidate (``origin_kind``) by the lower edge of
# its probability band (``CANDIDATE_BANDS``): ``calibrate.candidate_calibration`` on bench_repair's real OCR, seeds 11
# and 12, k = 1 (2026-12-07). A kind or band not listed keeps its probability. Read-for-0 and a blank read for 0 are
# likelier than the priors say, dropped digits and most confusions less.
CANDIDATE_FACTORS: dict[str, dict[float, float]] = {
    "confusion": {0.0: 0.372, 0.01: 0.498, 0.03: 0.354, 0.1: 1.603, 0.3: 2.439},
    "confusion:blank/0": {0.1: 2.514, 0.3: 1.798},
    "doubled-digit": {0.03: 0.455, 0.1: 0.392},
    "dropped-digit": {0.0: 0.18, 0.01: 0.089, 0.03: 0.072, 0.1: 0.163},
    "ocr-alternative": {0.0: 0.556, 0.01: 1.791, 0.03: 0.553, 0.1: 0.882, 0.3: 1.976, 0.9: 1.058},
    "read": {0.1: 0.595, 0.3: 0.416, 0.6: 0.928, 0.9: 0.999},
    "read-for-0": {0.0: 5.714, 0.01: 5.833, 0.03: 3.879, 0.1: 3.017},
    "spurious-digit": {0.0: 0.69, 0.01: 0.465, 0.03: 0.465, 0.1: 3.922},
    "spurious-mark": {0.03: 0.39, 0.1: 0.823, 0.3: 1.074, 0.6: 1.172, 0.9: 1.036},
    "swapped-digits": {0.0: 0.952},
}


def origin_kind(origin: str) -> str:
    """A candidate's origin without its particulars: ``confusion:3/8`` is a ``confusion``, but a blank
    alternative taken for 0 (``confusion:blank/0``) is its own kind."""
    if origin.startswith("confusion:") and origin != "confusion:blank/0":
        return "confusion"
    return origin


def band_of(prob: float, bands: Sequence[float] = CANDIDATE_BANDS) -> int:
    """Index of the band of ``bands`` that ``prob`` lies in (the last band takes its upper edge)."""
    return next((i for i in range(len(bands) - 1) if prob < bands[i + 1]), len(bands) - 2)


def calibrated(cands: list[Candidate], factors: Mapping[str, Mapping[float, float]] | None) -> list[Candidate]:
    """``cands`` with all but the first scaled by their kind's factor in their band, back to the mass they had
    together, none above ``READ_LEAD`` of the first, and normalised; the first keeps its probability and its place.

    The searches take the first candidate for the most probable (``solve.py``): scaled with the rest, a reading made
    by a confusion (``B`` read for 8) lost its lead and sent its component to the integer programme, where no
    printed error is tried (seed 12 real OCR k = 2: three misprinted totals unflagged)."""
    if not factors or len(cands) < 2:
        return cands
    first, rest = cands[0], cands[1:]
    scaled = [c.prob * factors.get(origin_kind(c.origin), {}).get(CANDIDATE_BANDS[band_of(c.prob)], 1.0)
              for c in rest]
    before, after = sum(c.prob for c in rest), sum(scaled)
    if after > 0:
        cap = READ_LEAD * first.prob
        scaled = [min(m * before / after, cap) for m in scaled]
    total = first.prob + sum(scaled)
    others = sorted(zip(rest, scaled, strict=True), key=lambda cm: -cm[1])
    return [replace(first, prob=first.prob / total), *(replace(c, prob=m / total) for c, m in others)]


def _finish(masses: dict[Number, list], value: Number | None, max_candidates: int) -> list[Candidate]:
    """Reading first, others by probability (capped below the reading's), cut to ``max_candidates``, normalised."""
    first = masses.pop(value, None) if value is not None else None
    rest = sorted(masses.items(), key=lambda kv: (-kv[1][0], float(kv[0])))[: max_candidates - (first is not None)]
    rows: list[tuple[Number, float, str]] = []
    if first is not None and value is not None:
        rows.append((value, first[0], first[1]))
        cap = READ_LEAD * first[0]
        rows += [(v, min(e[0], cap), e[1]) for v, e in rest]
    else:
        rows += [(v, e[0], e[1]) for v, e in rest]
    total = sum(m for _, m, _ in rows)
    rows = [r for i, r in enumerate(rows) if i == 0 or r[1] / total >= MIN_PROB]
    total = sum(m for _, m, _ in rows)
    return [Candidate(v, m / total, how) for v, m, how in rows]


def _sort_key(v: Number | None) -> float:
    return math.inf if v is None else float(v)


# ---------------------------------------------------------------------------------------------------------
# a document's style: a lone blank marker among printed zeros

MARKER_AS_ZERO = "marker-as-0"  # origin of the 0 taken for a lone blank marker (``lone_markers``)


def is_marker_reading(ev: CellEvidence) -> bool:
    """A scanned cell read as a printed blank marker (``—``, ``/``, ``一`` …): ink read as no number, not an empty
    crop."""
    text = ev.raw_text.strip()
    return not ev.digital and bool(text) and parse_number(text).outcome is ParseOutcome.BLANK


def _printed_blank(ev: CellEvidence) -> bool:
    return parse_number(ev.raw_text.strip()).outcome is ParseOutcome.BLANK \
        and not is_lost_reading(ev.raw_text, ev.confidence, ev.digital)


def lone_markers(evidence: Mapping[str, CellEvidence], relations: Sequence[Sequence[str]], threshold: float,
                 max_markers: int, min_zeros: int, share: float = 0.0) -> set[str]:
    """Cells read as a blank marker that a document printing its zeros as 0 more likely printed as 0.

    A document that marks its empty cells with a dash or a slash marks many (a whole block of columns, every row
    of a column); one that prints 0 has zeros all over. A faint or broken 0 can read as a marker (``一`` for a 0
    faded to a smear). So where at least ``min_zeros`` cells of the whole report read 0 confidently (at
    ``threshold`` or from the text layer) and at most ``max_markers`` read as markers, or at most ``share`` of the
    zeros' number, each marker cell that sits in a relation whose other cells are all there and printed (or such
    markers themselves; ``relations``: the field keys of each) is returned: its reading is taken for a 0, unsure.
    A printed blank read as empty never is.
    """
    markers = {k for k, ev in evidence.items() if is_marker_reading(ev)}
    parsed = [parse_number(ev.raw_text.strip()) for ev in evidence.values() if ev.digital or ev.confidence >= threshold]
    zeros = sum(1 for pn in parsed if pn.outcome is ParseOutcome.NUMBER and pn.value == 0)
    if not markers or zeros < min_zeros or len(markers) > max(max_markers, share * zeros):
        return set()
    return {key for key in markers if any(
        key in fields and all(k in evidence and (k in markers or not _printed_blank(evidence[k])) for k in fields)
        for fields in relations)}


def one_digit_apart(a: str, b: str) -> tuple[str, str] | None:
    """The digits (of ``a``, of ``b``) where two digit strings of one length differ, if in one place only."""
    diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y] if len(a) == len(b) else []
    return diff[0] if len(diff) == 1 else None


def lookalike_digits(pair: tuple[str, str]) -> bool:
    """The second digit of ``pair`` is a known misreading of the first (``DIGIT_CONFUSIONS``)."""
    return pair[1] in DIGIT_CONFUSIONS.get(pair[0], {})
