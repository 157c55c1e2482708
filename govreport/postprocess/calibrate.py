"""Calibration of repair on a labelled corpus: its confidence threshold (``calibrate_threshold``), the threshold at
or above which a reading is fixed, chosen for the fewest errors of repair and flagging together; and a check of the
candidates' probabilities against how often each kind of candidate is the truth (``candidate_calibration``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from govreport.postprocess.candidates import (
    CANDIDATE_BANDS,
    CellEvidence,
    Number,
    band_of,
    cell_candidates,
    origin_kind,
)
from govreport.postprocess.checks import check_all
from govreport.postprocess.passes import repair_cells
from govreport.postprocess.repair import RepairOptions
from govreport.report import ValueStatus
from govreport.schema.templates import Invariant


@dataclass(frozen=True)
class CalibrationCase:
    """One document of the calibration corpus: the evidence as read and the true printed values."""

    evidence: Mapping[str, CellEvidence]
    truth: Mapping[str, Number | None]
    invariants: Sequence[Invariant]


@dataclass(frozen=True)
class ThresholdScore:
    threshold: float
    garbled: int  # cells whose reading differs from the truth
    restored: int  # garbled cells repaired to the truth
    changes: int  # cells repair changed
    right_changes: int  # changes to the truth
    false_changes: int  # cells read right and changed
    conflicts: int
    false_flags: int  # relations flagged as the document's error that the true values satisfy
    missed_flags: int = 0  # relations the true values break that are not flagged

    @property
    def recall(self) -> float:
        return self.restored / self.garbled if self.garbled else 1.0

    @property
    def precision(self) -> float:
        return self.right_changes / self.changes if self.changes else 1.0

    @property
    def errors(self) -> int:
        """What ``calibrate_threshold`` minimises."""
        return self.false_changes + FALSE_FLAG_WEIGHT * self.false_flags + self.missed_flags


@dataclass(frozen=True)
class Calibration:
    threshold: float
    scores: list[ThresholdScore]
    procedure: str


FALSE_FLAG_WEIGHT = 2  # a relation flagged that the document keeps counts as two errors in the calibration
DEFAULT_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999, 1.0)


def score_threshold(cases: Sequence[CalibrationCase], threshold: float, options: RepairOptions | None = None
                    ) -> ThresholdScore:
    """Repair every case with ``threshold`` and count what it restored and what it broke."""
    base = options or RepairOptions()
    opts = RepairOptions(**{**base.__dict__, "confident_threshold": threshold})
    garbled = restored = changes = right = false = conflicts = false_flags = missed_flags = 0
    for case in cases:
        result = repair_cells(case.evidence, case.invariants, opts)
        _, truly_broken, _, _ = check_all(list(case.invariants), case.truth)
        false_flags += len(set(result.flags) - set(truly_broken))
        missed_flags += len(set(truly_broken) - set(result.flags))
        for key, c in result.cells.items():
            if key not in case.truth:
                continue
            truth = case.truth[key]
            read_right = c.reading == truth and not (c.reading is None and not c.blank)
            garbled += not read_right
            conflicts += c.status is ValueStatus.CONFLICT
            if c.status is ValueStatus.REPAIRED:
                changes += 1
                right += c.value == truth
                false += read_right
            restored += (not read_right) and c.status is ValueStatus.REPAIRED and c.value == truth
    return ThresholdScore(threshold, garbled, restored, changes, right, false, conflicts, false_flags, missed_flags)


def calibrate_threshold(cases: Sequence[CalibrationCase], thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
                        options: RepairOptions | None = None) -> Calibration:
    """Pick the confidence threshold on a corpus of read documents with known true values.

    Procedure: for every threshold t of the grid, repair every document with the cells read at confidence >= t
    fixed, and count the garbled cells restored (recall), the cells read right but changed (false changes), the
    relations flagged as the document's own error that the true values satisfy (false flags: a garbled cell read at
    or above t is taken as printed), and the relations the true values break that are not flagged (missed flags: a
    cell of them below t leaves them unresolved). The threshold is the one with the fewest errors, false changes +
    2 x false flags + missed flags (a false accusation costs the user more than a break left for review), then the
    highest recall; ties go to the lowest threshold (fewest cells open to change). (Until 2026-11-22 missed flags
    did not count, and a threshold at which nothing is confident, so nothing is flagged, could win.) The corpus:
    ``benchmarks/bench_repair.py --calibrate`` (correct tables from the corpus generator, k cells per relation
    garbled, read by the project's recogniser from rendered, degraded crops: real confidences).
    """
    if not thresholds:
        raise ValueError("no thresholds to try")
    scores = [score_threshold(cases, t, options) for t in thresholds]
    best = min(scores, key=lambda s: (s.errors, -s.recall, s.threshold))
    return Calibration(best.threshold, scores, calibrate_threshold.__doc__ or "")


# ---------------------------------------------------------------------------------------------------------
# how well the candidates' probabilities match how often they are the truth

@dataclass(frozen=True)
class CandidateBand:
    """The candidates of one kind (``origin_kind``) whose probability lies in [``low``, ``high``): ``expected``
    (their probabilities summed) of the ``n`` should be the truth if the probabilities are calibrated; ``hits``
    are."""

    kind: str
    low: float
    high: float
    n: int
    expected: float
    hits: int

    @property
    def ratio(self) -> float:
        """Hits over expected: above 1 the candidates are likelier than their probabilities say, below 1 less."""
        return self.hits / self.expected if self.expected > 0 else float("nan")


def candidate_calibration(cases: Sequence[CalibrationCase], options: RepairOptions | None = None,
                          bands: Sequence[float] = CANDIDATE_BANDS) -> list[CandidateBand]:
    """For the unsure cells of ``cases`` (scanned, read below the confident threshold, in the truth), their
    candidates (``cell_candidates`` under ``options``) by kind and probability band, with how many were the truth.

    The candidates' priors (``candidates.W_*``, the digit pairs, ``ZERO_ODDS``) are set by hand and by sweeps of the
    repair benchmark; this says, kind by kind, whether the probabilities they give match how often such a candidate
    is the printed value (``benchmarks/bench_repair.py --candidates``)."""
    if len(bands) < 2 or any(b >= c for b, c in pairwise(bands)):
        raise ValueError(f"bands must rise, at least two edges: {bands!r}")
    opts = options or RepairOptions()
    acc: dict[tuple[str, int], list[float]] = {}  # (kind, band) -> [n, expected, hits]
    for case in cases:
        for key, ev in case.evidence.items():
            if key not in case.truth or ev.digital or ev.confidence >= opts.confident_threshold:
                continue
            truth = case.truth[key]
            for cand in cell_candidates(ev, opts.max_candidates, opts.zero_odds, opts.candidate_factors):
                band = band_of(cand.prob, bands)
                row = acc.setdefault((origin_kind(cand.origin), band), [0, 0.0, 0])
                row[0] += 1
                row[1] += cand.prob
                row[2] += cand.value == truth
    return [CandidateBand(kind, bands[band], bands[band + 1], int(n), expected, int(hits))
            for (kind, band), (n, expected, hits) in sorted(acc.items())]
