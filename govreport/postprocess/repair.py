"""Joint repair of garbled OCR readings with the tables' sum relations.

Every numeric cell has candidate readings with probabilities (``candidates.cell_candidates``). Repair chooses,
for all cells at once, the most probable assignment that satisfies the relations:

    maximise  sum over cells of log P(chosen candidate)  -  release_penalty * (number of relations released)

* A cell read with confidence at or above ``confident_threshold`` (and every text-layer cell) is fixed to its
  reading: repair never changes a confident value to make a sum hold.
* Each relation is an equality over the chosen values, enforced unless released by a binary slack (big-M) that
  costs ``release_penalty`` (log-probability units: the prior odds against a document breaking one of its own
  relations). A relation that stays broken is reported: where its cells are all confident, or each unsure one is
  vouched for by another relation that holds with it among confident cells (``flag_vouched``), it is flagged as
  the document's own inconsistency (the values stay as printed). It is flagged too where no choice among its unsure
  cells' candidates would make it hold (``flag_unfixable``), unless one of those cells breaks another relation as
  well, its reading with digits lost (or one digit taken for a look-alike) would mend it, or its reading is below
  ``flag_unfixable_min_prob``: then the reader is as likely to blame. It is flagged whatever its unsure (or
  unreadable) cells read where its confident cells alone, with those kept at a reading of at least
  ``flag_beyond_reading_min_prob``, break it past mending: the others are counts on one side that would have to sum
  below 0 (``flag_beyond_reading``). Otherwise it is left ``unresolved`` for a person (a misreading repair could not
  explain, or the document's error).
* A document errs in a cell (a mistyped total), which breaks all its relations at once; the release penalty prices
  relations one by one. So the optimum is compared with explanations in which a settled cell is printed wrong
  (``_printed_errors``, at ``printed_error_penalty`` for all its relations): its meant value becomes an unknown, every
  relation enforced with it (a misreading that cancelled the misprint in one relation is repaired with it). Where one
  is more probable by the conflict margin, the cell stays as printed, its broken relations are flagged, and it is
  listed in ``printed_errors`` (and for review, with the value its broken relations agree on: ``meant``). Where
  another explanation comes within the margin of the one taken, the cells the two set differently are conflicts.
* A relation with a blank cell (or a cell the document lacks) is incomplete and not enforced; a printed blank
  stays blank (its only candidate is the blank). Values implied for blanks are returned apart, as derived.
  ``passes.repair_cells`` makes one exception, by the report's style: a cell read as a blank marker where the report
  prints its zeros and marks next to nothing (``candidates.lone_markers``) is offered as an unsure 0, and reported
  ``repaired`` (origin ``marker-as-0``) with no reading.
* ``passes.repair_cells`` last doubts the unsure readings (below ``lost_reading_below``) that relations left unresolved:
  digits lost beyond any candidate (990 read 99). At most ``lost_reading_max`` of them are solved again as lost
  numbers; where two or more of a cell's relations then hold with a value other than its reading, it is repaired
  (origin ``lost-reading``, its reading and candidates kept as evidence), else the first outcome stands. Where
  together they settle none, each is tried alone (``lost_reading_singly``). A lone marker taken for 0 whose
  relations those lost numbers leave unresolved is then solved again as a lost number too (``lost_reading_markers``).
* A cell whose text is not a number at all (a seal smear, a faint 0 read as nothing) gets a free integer with a
  constant prior (``unreadable_log_prior``). Where two or more relations agree on its value (or a relation holds
  with it at 0) it is repaired (origin ``implied``); a relation counts where its other cells are read as is,
  repaired to a candidate that settles a relation of its own, or implied cells of a group with more relations than
  unknowns (``_corroborated``). One relation is enough where its other cells are firm (confident, certain, or such
  repairs; ``one_firm_relation``): it cannot tell a lost number from the document's own error, but documents break
  a given relation far less often (about 0.3% of relations on the benchmark corpus) than the precision repair is
  held to. So is one whose other cells are read as is or so repaired where the recogniser's own decodings of the
  cell name the value (``passes.seen_numbers``: an empty reading decoded ``2`` at 0.08). A value with less support goes
  to ``derived`` and the cell stays unreadable.
* Only cells in a relation that does not hold as read may change, and of those not the ones no optimum can change
  (``_never_changed``: exact dominance). The rest splits into components (cells linked through shared enforced
  relations); components whose relations all hold as read are not solved. A component is solved exactly: by
  enumeration where the product of its candidate counts is at most ``max_enumeration``, else by a branch and bound
  over the broken relations (``solve.Search``; with two or more unreadable cells ``solve.FreeSearch``, which eliminates
  them through the relations it holds), and where that outgrows ``node_limit`` nodes as an integer programme with
  HiGHS (``solve.solve_milp``: binary choice per candidate, big-M release per relation). They agree (randomised tests
  against the integer programme). Where HiGHS runs out of ``milp_node_limit`` nodes (or, a backstop, of
  ``time_limit_s``), or answers what its checks refuse (``solve.Unsound``) and the exact search, tried once more
  with ``unsound_search_node_limit`` nodes, cannot finish either, the component is solved again over each cell's
  ``fallback_candidates`` likeliest candidates (a warning says so), and past that too its readings are kept.
* Conflict: for every cell the optimum changes (and every unreadable cell it fills), the problem is solved again
  with that choice forbidden. If the best such alternative is within ``conflict_margin`` of the optimum, the cell
  and every cell the alternative sets differently are marked ``conflict`` and keep their readings: repair does not
  guess between near-equal explanations.

The confidence threshold is calibrated on the benchmark corpus with ``calibrate.calibrate_threshold`` (see its
docstring and ``benchmarks/bench_repair.py --calibrate``). What a person should look at afterwards is listed by
``review.review_items``.

This module holds the options, the results and the joint choice (``repair``, with the explanations by printed
errors). The rest lives beside it: the exact solvers in ``solve``, the verdict on each broken relation in
``flags``, the support that keeps an implied value or vouches for an unsure one in ``support``, and the passes over
one report's evidence (markers, lost numbers) in ``passes``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np

from govreport.postprocess.candidates import (
    CANDIDATE_FACTORS,
    IMPLIED,
    ZERO_ODDS,
    Candidate,
    CellEvidence,
    Number,
    cell_candidates,
)
from govreport.postprocess.checks import TOLERANCE, check_all, holds, implied_value, sign
from govreport.postprocess.flags import judge
from govreport.postprocess.solve import Forbid, Problem, Solution, Solver, as_read, ceiling
from govreport.postprocess.support import settle_implied, vouched_for
from govreport.report import DerivedValue, RelationCheck, RelationStatus, ValueStatus
from govreport.schema.templates import Invariant

# Calibrated on the benchmark corpus (benchmarks/bench_repair.py --n 20 --ocr --ocr-n 250 --calibrate, seed 11: real
# recogniser readings of 250 documents x k=1,2, read as the scan path reads them), 2026-11-22: 0.95 has the fewest
# errors (3 false changes + 2 x 4 false flags + 39 missed flags = 50; 0.85: 52; 0.93: 54; 0.999: 58, with 51 of
# the documents' own breaks left unflagged) and recall is flat at 89.7% from 0.85 up. Was 0.93 (on the readings of
# before 2026-11-22). Re-run 2026-12-05 with flag_unfixable and the 0/1 look-alike: 0.95 again (3 false changes +
# 2 x 4 false flags + 29 missed flags = 40; 0.85: 3 + 12 + 27 = 42; 0.999: 3 + 4 + 42 = 49). 2026-12-06: 0.99, on
# seeds 11, 12 and 13 together (`--n 20 --ocr --ocr-n 250 --calibrate --seed S`, errors summed), once the benchmark
# gave a text heavy renderings in proportion to its cells (0 had six, 480 now): its wrong readings of 0 include a
# few read at 0.95-0.99 (an `8` at 0.958, a `2` at 0.961), each a false flag wherever it is drawn. Errors: 0.95 686,
# 0.97 453, 0.98 444, 0.99 232 (54 + 94 + 84), 0.995 261, 0.999 254 (seed 11 alone: 0.999, 48 against 54; seed 12:
# 0.99; seed 13: 0.97, 80 against 84). Scans end to end are the same at 0.95 and 0.99 but for two cells of seed 14
# (one more right, one more unreadable). Swept again with flag_unfixable_min_prob 0.7 and the 0 candidate: 0.99 192
# (51 + 71 + 70), 0.999 215, 0.995 228, 0.97 427.
CALIBRATED_THRESHOLD = 0.99



@dataclass(frozen=True)
class RepairOptions:
    confident_threshold: float = CALIBRATED_THRESHOLD  # cells read at or above this confidence are fixed
    conflict_margin: float = 2.0  # log-prob units: alternatives closer than this to the optimum make a conflict
    release_penalty: float = 6.0  # log-prob cost of leaving one relation broken (prior odds against a document
    # breaking one given relation; with the margin: a change that settles one relation must cost under 4, i.e. the
    # candidate be at least 1/55 as likely as the reading; one that settles two, under 10)
    unreadable_log_prior: float = math.log(1e-4)  # log-prob of the value the relations imply for an unreadable cell
    max_enumeration: int = 2000  # components with at most this many joint assignments are enumerated
    # branch-and-bound nodes before a component goes to the integer programme: a few milliseconds of search, where
    # HiGHS takes 40-150 ms on the small components with unreadable cells that reach it (big-M bounds on the free
    # values). 2000 -> 5000 (2026-12-07, real OCR k = 2): the same repairs on every benchmark row, the slowest
    # report 0.79 -> 0.47 s (seed 12), 0.51 -> 0.36 s (seed 13).
    node_limit: int = 5000
    max_candidates: int = 16  # per cell, when candidates are built by ``passes.repair_cells``
    confident_candidates: int = 4  # …for a confident cell (fixed anyway: the list is for the record)
    # a candidate 0 built here is weighted by these prior odds (``candidates.ZERO_ODDS``: 0 is most of a report's
    # cells; 1 for the recogniser's probabilities alone)
    zero_odds: float = ZERO_ODDS
    # The candidates other than the reading matched by kind and band to how often they are the truth
    # (``candidates.CANDIDATE_FACTORS``, fitted on seeds 11 and 12). Real OCR, six rows (2026-12-07, with
    # printed_error_penalty 6): garbled cells restored +26, wrong changes 41 -> 39, documents flagged exactly +1;
    # held out, seed 13 k = 2 precision 98.80 -> 99.13%; simulated rows: restored +22, wrong changes -2. Off: end
    # to end, heavy seed 15 scans lose 4 cells (99.66 -> 99.61%, a 1-bit page of faint digits leaned to 0), and six
    # tests of stored and hand-made cases change outcome, some for the worse (benchmarks/README, thirtieth session).
    calibrated_candidates: bool = False
    tolerance: float = TOLERANCE
    implied_support: int = 2  # relations that must agree on a non-zero value implied for an unreadable cell
    # One relation suffices where its other cells are firm: fixed (confident or certain) or repaired to a candidate
    # that settles a relation of its own. On real OCR (k = 1, 2026-11-22) this restored 22 more of 1007 garbled
    # cells with no wrong change; unsure readings do not count (a second garbled cell read wrong would pass its
    # error on to the implied value).
    one_firm_relation: bool = True
    # Branch-and-bound nodes per integer programme; beyond them the component is solved again over each cell's
    # ``fallback_candidates`` likeliest candidates, and past that too its readings are kept (a warning either way).
    # Seed-15 doc0012 (81 cells, 13 unreadable, 659 candidates): 26 wrong with readings kept, 19 so. A count of
    # nodes, not seconds, so that a report comes out the same however busy the machine: with 2 s as the limit,
    # doc0012's 28 programmes (up to 26 nodes, 0.1-0.2 s a node) ran out of time or not as other jobs ran beside
    # them, and its repaired values differed from run to run (2026-12-07). 32: doc0012 as with 2 s idle (184 of 198
    # cells right), 16: 183.
    milp_node_limit: int = 32
    time_limit_s: float = 30.0  # per integer programme, a backstop only: the node limit binds well before it
    # Where HiGHS's answer fails its checks (``solve.Unsound``: a relation it counts as held broken, a forbidden
    # value taken; with values in the hundreds of thousands, bench_solvers), the exact search once more with this
    # many nodes before the fallbacks above: at values to 250,000 it answered 19 of the 21 components HiGHS failed
    # on, each exactly.
    unsound_search_node_limit: int = 100_000
    fallback_candidates: int = 4
    # A relation the optimum leaves broken although unsure cells take part: flagged as the document's own error
    # when each of its unsure cells kept a reading at least this probable (no conflict, nothing unreadable or
    # changed), else left unresolved for a person. Off by default (1.0): on the repair benchmark (k = 1, 150
    # documents) 0.5 raised the self-inconsistent documents flagged exactly from 40% to 60% but flagged 10 of 135
    # consistent ones (misreadings no candidate explains), and a false accusation costs the user more.
    flag_min_reading_prob: float = 1.0
    # ...or where each of its unsure cells is vouched for: it kept its reading, or was repaired to a candidate, and
    # another relation holds with it whose other cells are confident (or vouched for). On real OCR (2026-11-22)
    # this raised the self-inconsistent documents flagged exactly from 41.9% to 54.8% (k = 1) and 32.3% to 51.6%
    # (k = 2), flag recall from 60% to 72% and 48% to 68%, and flagged no consistent document; but 2 of 49 and 2 of
    # 46 flags were false, in documents that break another relation: a misreading that cancels the document's own
    # break makes that broken relation hold and vouch for it.
    flag_vouched: bool = True
    # ...or where no choice among its unsure cells' candidates makes it hold (``flags._unfixable``): whichever reading
    # is right, the printed values break it; the unsure cells stay listed for review. Products of more than
    # ``flag_unfixable_limit`` candidate choices are not enumerated (the relation stays unresolved).
    flag_unfixable: bool = True
    flag_unfixable_limit: int = 4096
    # ...but not where an unsure cell of it kept (or was given) a reading below this probability: the recogniser's
    # own doubt makes a truth it missed likelier than a misprint. Real OCR (bench_repair, 2026-12-05), 0 -> 0.3:
    # consistent documents flagged 5 -> 2 of 207 (seed 12, k = 1), 10 -> 4 (k = 2), 3 -> 2 of 204 (seed 13, k = 1);
    # seed 11 k = 1 gives up 2 of 59 right flags; documents flagged exactly as before but seed 11 k = 1 (-1) and
    # seed 13 k = 2 (+2). 0.3 -> 0.7 (2026-12-06, heavy renderings in proportion, threshold 0.99; real OCR k = 1, 2):
    # false + missed flags 9 + 30 -> 5 + 34 (seed 11), 18 + 52 -> 9 + 57 (seed 12), 12 + 54 -> 2 + 60 (seed 13);
    # consistent documents flagged (k = 1 and 2 together) 3 -> 1, 13 -> 6, 8 -> 1 (`A` read at 0.695 for a 0, a `4`
    # whose candidates hold no 0, was blamed on the document in four of them). 0.9 ties on errors, with fewer
    # documents flagged exactly; the simulated rows miss one flag more per k.
    flag_unfixable_min_prob: float = 0.7
    # ...and, whatever its unsure cells read, where its confident cells alone break it past mending: the unsure cells
    # (unreadable ones too) are counts on one side and would have to sum to less than 0 (``flags._beyond_any_reading``).
    # Real OCR (bench_repair --ocr, 2026-12-07): documents flagged exactly 58.06 -> 64.52% (seed 11 k = 1), 74.19 ->
    # 77.42% (k = 2), 69.77 -> 72.09% and 60.47 -> 62.79% (seed 12); with unreadable cells, 67.39 -> 71.74% and
    # 63.04 -> 65.22% (seed 13); no false flag more, repairs unchanged.
    flag_beyond_reading: bool = True
    # ...where cells kept at a reading this probable count with the confident ones. Real OCR (bench_repair --ocr,
    # seeds 11/12/13, k = 1 and 2, 2026-12-07), 1.0 -> 0.97: right flags +2, +1, +1 (seed 12 k = 1, k = 2, seed 13
    # k = 1), seed 12 k = 1 documents flagged exactly 74.42% -> 79.07%, no false flag more; simulated +1 to +4 right
    # flags per row. 0.9 flagged three consistent documents more.
    flag_beyond_reading_min_prob: float = 0.97
    # A settled cell printed wrong breaks all its relations at once (``_printed_errors``): log-prob cost of that
    # explanation, against ``release_penalty`` for each relation it lets go; 0 turns it off. 7 and 8 flag exactly as
    # many self-inconsistent documents on seed 12 (bench_repair --seed 12 --n 300 --ocr --ocr-n 250) as 9 and 10, and
    # one to three more on seed 11 (2026-12-05); no consistent document is flagged by it at any of them.
    # With calibrated_candidates, 6 (2026-12-07): seeds 11 and 13 k = 1 one document more flagged exactly each,
    # seed 13 k = 2 two right flags more, no wrong change more (5 alone cost seed 13 k = 2 three wrong changes).
    printed_error_penalty: float = 7.0
    printed_error_max: int = 2  # printed errors assumed per report at most
    printed_error_suspects: int = 12  # cells tried as printed errors per step, those in the most broken relations
    # An explanation by a printed error that comes within the conflict margin of the one chosen (either way) is as
    # good an account of the broken relations: the cells the two set differently are conflicts, not guesses
    # (``_printed_errors``' ties). Real OCR (bench_repair --ocr, 2026-12-07), with the meant values solved for:
    # without ties seed 13 kept 8 and 8 wrong changes (k = 1, 2); with them 6 and 7, the other rows as good.
    printed_error_ties: bool = True
    # Of the explanations tried per step, those solved with the cell's meant value unknown, the best bounded first
    # (the rest are taken where letting the cell's relations go leaves them agreeing on one). All 12: seed 12 k = 2
    # p95 55-59 ms; 4: 44-48 ms, and at least as many cells restored and documents flagged exactly on each real row.
    printed_error_solved: int = 4
    # A cell read as a blank marker where the report prints its zeros (``candidates.lone_markers``: at least
    # ``lone_marker_zeros`` confident zeros, and at most ``lone_marker_max`` marker readings or ``lone_marker_share``
    # of the zeros' number) is taken for a 0 read at ``lone_marker_confidence`` (its garblings the alternatives),
    # status repaired; ``lone_marker_max`` 0 turns it off. Real OCR (bench_repair --seed 12, k = 1): a faint 0 read
    # 一 was 278 of 982 garbled cells, none restored; a report printing dashes for its blanks has tens of them. One
    # read below ``lone_marker_floor`` is ink without a number: unreadable, for the relations to imply.
    lone_marker_max: int = 2
    lone_marker_share: float = 0.05
    lone_marker_zeros: int = 5
    lone_marker_confidence: float = 0.5
    lone_marker_floor: float = 0.5  # such a marker read below this confidence is a lost number (unreadable) instead
    # An unsure reading (below ``lost_reading_below``) kept in a relation left unresolved may have lost digits no
    # candidate gives back (real OCR: 990 read 99, 140 read 120, 10 read .0, 45 read 1). Where at most
    # ``lost_reading_max`` such readings are doubted (0 turns it off), they are solved again as lost numbers
    # (``passes._lost_readings``); one is repaired (origin ``lost-reading``) where it comes out other than its reading,
    # at least ``lost_reading_support`` of its relations then hold, and the doubted cells so repaired have more holding
    # relations between them than their number. Real OCR (bench_repair --ocr --ocr-n 250, 2026-12-06), recall of
    # the garbled cells at k = 1: seed 12 94.9% -> 97.7%, seed 11 95.7% -> 97.4%, seed 13 94.0% -> 96.4%; 3 of 97
    # such repairs were wrong, each a total the document misprinted (a 0 where its parts add to 28) read unsure:
    # its relations agree on the meant value, and nothing tells that apart from a misreading. 0.93: in the 0.93-0.95
    # confidence band (seed 12) 1022 readings were right and none wrong; below 0.93, 2 of 17 were wrong, and at 0.947
    # a misprinted total read right was taken for a lost number.
    lost_reading_max: int = 4
    lost_reading_below: float = 0.93
    lost_reading_support: int = 2
    # Where the doubted readings solved again all at once settle none (more unknowns, more near-equal explanations),
    # each is solved again on its own, then those that came out so together. Real OCR (2026-12-06, k = 1): recall
    # seed 11 95.35% -> 95.64%, seed 12 95.86% -> 96.34% (two more self-inconsistent documents flagged exactly),
    # seed 13 94.18% -> 94.29%; no wrong change added; k = 2 the same or +0.08.
    lost_reading_singly: bool = True
    # ...and then, once, the unsure cells repaired to a candidate whose relations stay unresolved (all at once only):
    # a faint reading whose candidates hold no truth is bent to the one that fits best (`F` at 0.26 and `te` at 0.2,
    # both 4, taken for 0 and 0 by the prior odds of 0, left their column's sum broken; `科9` at 0.07 for a 2, taken
    # for 8, bent two 7s read at 0.967 to 1). Real OCR (2026-12-07), k = 2: wrong changes 7 -> 4 (seed 11), 7 -> 5
    # (seed 12), 8 -> 7 (seed 13), restored +2 / +3 / +2; k = 1 unchanged; the simulated rows lose one restored cell
    # each at seed 13. Solving them each alone as well took 1.8 s on one simulated report and gave nothing more.
    lost_reading_repaired: bool = True
    # ...and last, the same for cells left a conflict in a relation left unresolved: where their relations then agree
    # on one value, it is no guess between near-equal candidates. Real OCR (2026-12-07): restored +19 over the six
    # rows (seed 12 k = 2 1025 -> 1033), right flags +2 (seed 12 k = 1, flagged exactly 67.44% -> 69.77%), one wrong
    # change more (seed 13 k = 2); the simulated rows unchanged.
    lost_reading_conflicts: bool = True
    # ...and, after them, a lone marker taken for 0 (``lone_markers``) whose relations they leave unresolved is solved
    # again as a lost number, as it is at first (``passes._late_lost_markers``). Real OCR (bench_repair --ocr,
    # 2026-12-07): seed 13 k = 2 doc 208, a 4 read `一` at 0.71 kept 0 beside a lost number found there, its three
    # relations left broken by 4 each; now implied 4.
    lost_reading_markers: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.confident_threshold <= 1.0:
            raise ValueError(f"confident_threshold must be in [0, 1], not {self.confident_threshold}")
        if self.conflict_margin < 0 or self.release_penalty <= 0 or self.unreadable_log_prior >= 0:
            raise ValueError("conflict_margin must be >= 0, release_penalty > 0 and unreadable_log_prior < 0")
        if self.implied_support < 1:
            raise ValueError("implied_support must be at least 1")
        if not self.zero_odds > 0:
            raise ValueError(f"zero_odds must be positive, not {self.zero_odds}")
        if min(self.max_enumeration, self.max_candidates, self.confident_candidates, self.node_limit,
               self.fallback_candidates, self.milp_node_limit, self.unsound_search_node_limit) < 1 \
                or self.time_limit_s <= 0:
            raise ValueError("max_enumeration, max_candidates, confident_candidates, node_limit, "
                             "fallback_candidates, milp_node_limit, unsound_search_node_limit and time_limit_s "
                             "must be positive")
        if self.lost_reading_max < 0 or self.lost_reading_support < 1 or not 0.0 <= self.lost_reading_below <= 1.0:
            raise ValueError("lost_reading_max must be >= 0, lost_reading_support >= 1 and lost_reading_below in "
                             "[0, 1]")

    @property
    def candidate_factors(self) -> Mapping[str, Mapping[float, float]] | None:
        """The factors ``cell_candidates`` matches the candidates with (None: the priors alone)."""
        return CANDIDATE_FACTORS if self.calibrated_candidates else None


@dataclass(frozen=True)
class CellRepair:
    """What repair decided for one cell."""

    key: str
    reading: Number | None  # the recognised reading (first candidate); None for a blank or unreadable cell
    value: Number | None  # the value to report: the reading, a repaired value, or None (blank / unreadable)
    status: ValueStatus  # read / repaired / conflict / unreadable
    prob: float  # probability of the chosen candidate (the prior of an implied value for an unreadable cell)
    origin: str  # origin of the chosen candidate ("implied" where the relations gave it)
    confident: bool  # fixed to its reading
    candidates: tuple[Candidate, ...]
    relations: tuple[str, ...]  # ids of the relations it takes part in
    runner_up: Candidate | None = None  # the most probable other candidate (or the alternative solution's value)
    margin: float | None = None  # log-prob gap between the optimum and the best solution giving it another value
    # (computed for changed cells; None where the search only proved it larger than the conflict margin)
    blank: bool = False  # printed blank


@dataclass(frozen=True)
class RelationOutcome:
    id: str
    status: RelationStatus  # with the repaired values
    as_read: RelationStatus  # with the readings
    confident: bool  # every cell of it is fixed (confident or certain)
    changed: tuple[str, ...]  # cells of it that repair changed
    flagged: bool  # broken with every cell confident or vouched for by another relation (or, an option, keeping a
    # likely reading): the document's own inconsistency
    unresolved: bool  # broken with an unsure cell in it (or open because of an unreadable cell): the document or
    # the reading is wrong, and only a person can tell which


@dataclass
class RepairResult:
    cells: dict[str, CellRepair]
    relations: list[RelationOutcome]
    checks: list[RelationCheck]  # check_all on the repaired values
    flags: list[str]  # relations broken by confident values: the document's own inconsistencies
    unresolved: list[str]  # relations broken (or left open) where an unsure cell takes part: for review
    derived: dict[str, DerivedValue]  # values the relations imply for blank cells, and for unreadable cells whose
    # implied value is not corroborated (never printed values)
    warnings: list[str] = field(default_factory=list)
    solves: int = 0  # enumerations and integer programmes run (conflict checks included)
    printed_errors: list[str] = field(default_factory=list)  # settled cells taken for printed wrong: their
    # meant values were solved for with the relations, the printed ones kept (``_printed_errors``)
    meant: dict[str, Number] = field(default_factory=dict)  # per cell of ``printed_errors``: the value its broken
    # relations all point to (the printed value less the one amount they break by), where they agree on one

    def values(self) -> dict[str, Number | None]:
        """Repaired values of the cells that have one (blank cells as None; unreadable cells left out)."""
        return {k: c.value for k, c in self.cells.items() if c.status is not ValueStatus.UNREADABLE}

    @property
    def changed(self) -> list[str]:
        return [k for k, c in self.cells.items() if c.status is ValueStatus.REPAIRED]


# ----------------------------------------------------------------------------------------------------------
# repair


_Solved = tuple[Problem, Solver, Solution]
_Group = tuple[list[str], list[Invariant]]


class SolveCache:
    """Work shared by the repairs of one report: ``passes.repair_cells`` repairs it again with markers or doubted
    readings taken for lost numbers, and most cells and components come back unchanged. Component optima are keyed by
    the problem's content (cells, candidates and their probabilities, relations, fixed cells' sum), so a component whose
    inputs changed is solved afresh; a cell's candidates by its evidence (the same object). One ``RepairOptions``
    per cache."""

    def __init__(self) -> None:
        self._entries: dict[bytes, tuple[_Solved | None, list[str], int]] = {}
        self.ceiling: dict[bytes, float] = {}  # per problem not solved: a bound its optimum was shown not to exceed
        self._candidates: dict[str, tuple[CellEvidence, int, list[Candidate]]] = {}

    def candidates(self, key: str, ev: CellEvidence, limit: int, zero_odds: float,
                   factors: Mapping[str, Mapping[float, float]] | None) -> list[Candidate]:
        """``cell_candidates(ev, limit, zero_odds, factors)``, made once per evidence (``zero_odds`` and
        ``factors`` are the options')."""
        kept = self._candidates.get(key)
        if kept is None or kept[0] is not ev or kept[1] != limit:
            kept = (ev, limit, cell_candidates(ev, limit, zero_odds, factors))
            self._candidates[key] = kept
        return list(kept[2])

    @staticmethod
    def key(p: Problem) -> bytes:
        h = hashlib.blake2b(digest_size=20)
        h.update("\x1f".join(p.keys).encode())
        h.update(b"\x1e" + "\x1f".join(p.rel_ids).encode() + b"\x1e")
        h.update(bytes(p.free))
        for v, lp in zip(p.values, p.logp, strict=True):
            h.update(len(v).to_bytes(4, "little"))
            h.update(v.tobytes())
            h.update(lp.tobytes())
        h.update(p.coef.tobytes())
        h.update(p.const.tobytes())
        return h.digest()

    def get(self, key: bytes) -> tuple[_Solved | None, list[str], int] | None:
        return self._entries.get(key)

    def put(self, key: bytes, entry: tuple[_Solved | None, list[str], int]) -> None:
        self._entries[key] = entry


class _Plans:
    """The components of a set of enforced relations, and their optima; each component is solved once (cached by
    its cells and relations), so that explanations differing in a few relations share the rest of the work."""

    def __init__(self, cells: Mapping[str, Sequence[Candidate]], free: set[str], variable: set[str],
                 reading: Mapping[str, Number | None], opts: RepairOptions, shared: SolveCache | None = None
                 ) -> None:
        self.cells, self.free, self.variable, self.reading, self.opts = cells, free, variable, reading, opts
        self._cache: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[_Solved | None, list[str], int]] = {}
        self._shared = shared if shared is not None else SolveCache()
        self._solves_before: dict[int, int] = {}  # per solver taken from the shared cache: its solves until then
        self._cutoff_solves = 0  # searches with a cutoff (``_may_give``); a solver they leave in the shared cache
        # counts on from there, as one an earlier repair left
        self._settled: dict[str, bool] = {}  # per relation: no unreadable cell, and holds as read
        self.slow = False  # a component went to the integer programme (or could not be solved)
        self._components: dict[tuple[str, ...], tuple[list[_Group], set[str]]] = {}

    def components(self, rels: Sequence[Invariant]) -> tuple[list[_Group], set[str]]:
        """Components (cells and relations) that do not all hold as read, and the cells that may move (found once
        per set of relations: the explanation taken is solved again for the report)."""
        sig = tuple(inv.id for inv in rels)
        if sig not in self._components:
            self._components[sig] = self._find_components(rels)
        return self._components[sig]

    def settled(self, inv: Invariant) -> bool:
        """No unreadable cell in ``inv``, and it holds as read (the same for every explanation: kept)."""
        known = self._settled.get(inv.id)
        if known is None:
            known = self._settled[inv.id] = not any(k in self.free for k in inv.fields) \
                and holds(inv, self.reading, self.opts.tolerance)
        return known

    def _find_components(self, rels: Sequence[Invariant]) -> tuple[list[_Group], set[str]]:
        # Only cells in a relation that does not hold as read may change: a change elsewhere would have to be paid
        # for by compensating changes along a chain of relations that hold, never the most probable explanation.
        open_keys: set[str] = set()
        for inv in rels:
            if not self.settled(inv):
                open_keys.update(inv.fields)
        movable = (self.variable & open_keys) | self.free
        movable -= _never_changed(movable, self.free, rels, self.settled)
        parent: dict[str, str] = {}

        def find(k: str) -> str:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for inv in rels:
            ks = [k for k in inv.fields if k in movable]
            for k in ks:
                parent.setdefault(k, k)
            for k in ks[1:]:
                parent[find(k)] = find(ks[0])
        keys_of: dict[str, list[str]] = {}
        for k in parent:
            keys_of.setdefault(find(k), []).append(k)
        rels_of: dict[str, list[Invariant]] = {}
        for inv in rels:
            ks = [k for k in inv.fields if k in movable]
            if ks:
                rels_of.setdefault(find(ks[0]), []).append(inv)
        groups: list[_Group] = []
        for root, keys in keys_of.items():
            grels = rels_of.get(root, [])
            if any(k in self.free for k in keys) or not all(self.settled(inv) for inv in grels):
                groups.append((sorted(keys), grels))  # else everything holds as read: nothing to repair
        return groups, movable

    def solve(self, keys: list[str], rels: list[Invariant], problem: Problem | None = None
              ) -> tuple[_Solved | None, list[str]]:
        """The component's optimum (None where readings are kept), and the warnings solving it gave; ``problem``:
        the component's, where the caller built it."""
        sig = (tuple(keys), tuple(inv.id for inv in rels))
        if sig not in self._cache:
            self._cache[sig] = self._solve(keys, rels, problem)
            solved = self._cache[sig][0]
            self.slow |= solved is None or solved[1].method == "milp"
        solved, warnings, _ = self._cache[sig]
        return solved, warnings

    def _may_give(self, keys: list[str], rels: list[Invariant], problem: Problem, floor: float) -> bool:
        """Whether the component's optimum may exceed ``floor`` (log-probability against its cells as read): a search
        with that cutoff, which proves it cannot (kept: ``SolveCache.ceiling``) or finds the optimum (kept in the
        shared cache, where ``solve`` takes it). Where the solver fails, True: ``solve`` then runs with its fallbacks
        and warnings."""
        key = SolveCache.key(problem)
        if self._shared.get(key) is not None:
            return True
        if floor >= self._shared.ceiling.get(key, math.inf):
            return False
        solver = Solver(problem, self.opts)
        try:
            found = solver.best(cutoff=floor + as_read(problem))
        except RuntimeError:
            return True
        finally:
            self._cutoff_solves += solver.solves
        if found is None:
            self._shared.ceiling[key] = min(floor, self._shared.ceiling.get(key, math.inf))
            return False
        solver.settle(found)
        self._shared.put(key, ((problem, solver, found), [], 0))
        return True

    def _solve(self, keys: list[str], rels: list[Invariant], problem: Problem | None
               ) -> tuple[_Solved | None, list[str], int]:
        if problem is None:
            problem = _build(keys, rels, self.cells, self.free, self.reading, self.opts)
        key = SolveCache.key(problem)
        entry = self._shared.get(key)
        if entry is None:
            entry = self._solve_problem(problem, keys, rels)
            self._shared.put(key, entry)
            return entry
        solved, warnings, _ = entry
        if solved is not None:
            self._solves_before.setdefault(id(solved[1]), solved[1].solves)
        return solved, list(warnings), 0

    def _solve_problem(self, problem: Problem, keys: list[str], rels: list[Invariant]
                       ) -> tuple[_Solved | None, list[str], int]:
        opts, cells = self.opts, self.cells
        solver = Solver(problem, opts)
        where = f"repair of {', '.join(keys[:3])}…"
        fewer_note = f"each cell's {opts.fallback_candidates} likeliest candidates"
        warnings: list[str] = []
        spent = 0
        try:
            best = solver.best()
        except RuntimeError as exc:
            spent += solver.solves
            fewer = {k: cells[k][:opts.fallback_candidates] for k in keys
                     if k not in self.free and len(cells[k]) > opts.fallback_candidates}
            if not fewer:
                return None, [f"{where}: {exc}; readings kept"], spent
            # the same problem over each cell's likeliest candidates (a prefix of its list: the indices stand)
            problem = _build(keys, rels, {**cells, **fewer}, self.free, self.reading, opts)
            solver = Solver(problem, opts)
            try:
                best = solver.best()
            except RuntimeError as again:
                return None, [f"{where}: {again} (also over {fewer_note}); readings kept"], spent + solver.solves
            warnings.append(f"{where}: {exc}; solved over {fewer_note} instead")
        if best is None:
            return None, [*warnings, f"{where}: no assignment; readings kept"], spent + solver.solves
        return (problem, solver, best), warnings, spent

    def solves(self) -> int:
        """Enumerations, searches and integer programmes run for this repair (not those of an earlier repair
        whose answers it shared)."""
        return self._cutoff_solves + sum(
            spent + (solved[1].solves - self._solves_before.get(id(solved[1]), 0) if solved else 0)
            for solved, _, spent in self._cache.values())

    def score(self, rels: Sequence[Invariant], need: float = -math.inf
              ) -> tuple[float, dict[str, Number | None]] | None:
        """The log-probability, against every cell kept as read, of the optimum with ``rels`` enforced (a relation
        no cell of which may move counts its penalty where it breaks as read), and its values; None where a
        component could not be solved, or where the total cannot exceed ``need``: components not solved before
        are searched only above what they would have to give (``_may_give``), each at most its ``ceiling``."""
        groups, movable = self.components(rels)
        stuck = sum(1 for inv in rels if not any(k in movable for k in inv.fields)
                    and not holds(inv, self.reading, self.opts.tolerance))
        total = -self.opts.release_penalty * stuck
        values = dict(self.reading)
        pending: list[_Group] = []
        for keys, grels in groups:
            if math.isfinite(need) and (tuple(keys), tuple(inv.id for inv in grels)) not in self._cache:
                pending.append((keys, grels))
                continue
            solved, _ = self.solve(keys, grels)
            if solved is None:
                return None
            total += _taken(solved, keys, values)
        problems = [_build(keys, grels, self.cells, self.free, self.reading, self.opts) for keys, grels in pending]
        ceilings = [ceiling(problem) for problem in problems]
        for n, ((keys, grels), problem) in enumerate(zip(pending, problems, strict=True)):
            if not self._may_give(keys, grels, problem, need - total - sum(ceilings[n + 1:])):
                return None
            solved, _ = self.solve(keys, grels, problem)
            if solved is None:
                return None
            total += _taken(solved, keys, values)
        return total, values


def _taken(solved: _Solved, keys: list[str], values: dict[str, Number | None]) -> float:
    """Write a component's optimum into ``values``; its log-probability against ``as_read``."""
    problem, _, best = solved
    for i, k in enumerate(keys):
        values[k] = best.value(problem, i)
    return best.objective - as_read(problem)


def _agreed(key: str, rels: Sequence[Invariant], values: Mapping[str, Number | None], tol: float) -> float | None:
    """The value of ``key`` with which every relation of ``rels`` holds as ``values`` stand, where they all want one
    (within ``tol``) of at least 0; None where they want different values, or there is no relation."""
    wants = [implied_value(inv, values, key) for inv in rels]
    if not wants or max(wants) - min(wants) > tol or wants[0] < -tol:
        return None
    return wants[0]


def _one_meant(key: str, rels: Sequence[Invariant], values: Mapping[str, Number | None], tol: float
               ) -> Number | None:
    """The one value of ``key`` with which every relation of ``rels`` holds as ``values`` stand (a whole number of
    at least 0), or None where they want different values (or one cannot say)."""
    if any(values.get(k) is None for inv in rels for k in inv.fields if k != key):
        return None  # an unreadable cell no relation left gave a value
    m = _agreed(key, rels, values, tol)
    if m is None or abs(m - round(m)) > tol:
        return None
    return round(m)


def _misprinted(errors: Sequence[str], got: Mapping[str, Number | None], reading: Mapping[str, Number | None],
                before: Mapping[str, Number | None], free: AbstractSet[str], rels_of: Mapping[str, list[Invariant]],
                firm: AbstractSet[str], tol: float) -> bool:
    """The explanation ``got`` of ``errors`` printed wrong stands: each has a meant value other than the one printed,
    and every lost number (``free``) keeps the value it has ``before`` (one solved for through the relations bends
    with whichever are let go), unless a relation of its own that holds no misprinted cell holds with its new value,
    its other cells ``firm`` or at a candidate (no other lost number): then the explanation frees it from the misprint
    it absorbed (seed 13 real OCR doc 39: a cell read `.` took 9 from a column whose total the document misprinted,
    while its row of confident zeros, total 0, wants 0; at k = 2 a cell of that row read `à` takes its candidate 0)."""
    def corroborated(k: str) -> bool:
        return any(not any(e in inv.fields for e in errors) and holds(inv, got, tol)
                   and all(f in firm or (f not in free and got.get(f) is not None) for f in inv.fields if f != k)
                   for inv in rels_of.get(k, ()))

    return all(got.get(e) != reading[e] for e in errors) and all(
        got.get(k) == before.get(k) or corroborated(k) for k in free)


def _unpinned(pinned: Mapping[str, Number], errs: Sequence[str], rels_of: Mapping[str, list[Invariant]]
              ) -> dict[str, Number]:
    """``pinned`` less the lost numbers in a relation of the misprints ``errs``: one that absorbed a misprint may move
    where a relation of its own corroborates it (``_misprinted``)."""
    near = {k for e in errs for inv in rels_of.get(e, ()) for k in inv.fields}
    return {k: v for k, v in pinned.items() if k not in near}


def _printed_errors(plans: _Plans, enforced: list[Invariant], rels_of: Mapping[str, list[Invariant]], settled: set[str],
                    opts: RepairOptions, make_plans: Callable[[Sequence[str], Mapping[str, Number]], _Plans]
                    ) -> tuple[_Plans, list[str], list[dict[str, Number | None]]]:
    """Cells printed wrong: the plans to solve with (their meant values unknowns), the cells, and the explanations
    about as good as the one taken (``ties``: their values).

    The release penalty prices each broken relation alone, but a document errs in a cell (a total mistyped), which
    breaks every relation the cell is in at once. Where a misreading happens to cancel the printed error in one of
    them (a part read 4 for 1 makes the mistyped total's column hold), the relation-by-relation optimum keeps the
    misreading: it leaves as many relations broken as the truth does. Explaining the broken relations instead by one
    settled cell (confident or certain) printed wrong, at ``printed_error_penalty`` per cell, makes the cell's meant
    value an unknown with every relation enforced: the misreading elsewhere is repaired along with it, even where it
    makes the cell's relations disagree on the amount printed wrong (seed 13 real OCR k = 1 documents 113 and 159:
    the old rule let the cell's relations go and then required them to break by one amount, which refused the
    misprint and repaired an unsure cell to hide it). A meant value that is the printed one is no misprint. Where that
    explanation is more probable by more than the conflict margin, it is taken: greedily, up to
    ``printed_error_max`` cells, each in two or more relations, one of them broken, every one that holds with a cell
    that may move (the ``printed_error_suspects`` in the most broken relations are tried). An explanation that
    changes the value implied for an unreadable cell is not taken, unless a relation of that cell's own which holds
    no misprinted cell then holds among settled cells or cells at a candidate (the misprint had lent it its value);
    the others hold those at their values (the ``pinned`` of ``make_plans``; a lost number in a relation of the cell
    tried is left free, ``_unpinned``). Letting the cell's relations go altogether relaxes the trial: its optimum bounds
    the trial's, and where its values make the cell's relations agree on one meant value, it is the trial's optimum.
    Only the ``printed_error_solved`` others with the best bounds are solved. Each search is cut off below what the
    trial needs (``_Plans.score`` with ``need``); where a component needs the integer programme, no explanation is
    taken: each would cost seconds (seed-15 doc0012: 6 s became 64 s). With ``printed_error_ties``, explanations at the
    last step that come within the conflict margin of the one kept are returned: repair marks the cells they set
    otherwise as conflicts."""
    scored = plans.score(enforced)
    if scored is None or plans.slow:
        return plans, [], []
    base, values = scored
    errors: list[str] = []
    current = plans
    tol = opts.tolerance
    rounds: list[list[tuple[float, str, dict[str, Number | None]]]] = []
    moving = plans.variable | plans.free
    for _ in range(opts.printed_error_max):
        printed = {**values, **{e: plans.reading[e] for e in errors}}
        broken = {inv.id for inv in enforced if not holds(inv, printed, tol)}
        suspects = []
        for c in sorted((settled - set(errors)) & set(rels_of)):
            own = rels_of[c]
            hits = sum(inv.id in broken for inv in own)
            if len(own) >= 2 and hits and all(inv.id in broken or any(k in moving for k in inv.fields)
                                              for inv in own):
                suspects.append((-hits, c))
        tried = [c for _, c in sorted(suspects)[:opts.printed_error_suspects]]
        best: tuple[float, str, _Plans, dict[str, Number | None]] | None = None
        found: list[tuple[float, str, dict[str, Number | None]]] = []
        rounds.append(found)
        pinned = {k: v for k, v in values.items() if k in plans.free and v is not None}
        cost = opts.printed_error_penalty * (len(errors) + 1)
        need = base + (-1 if opts.printed_error_ties else 1) * opts.conflict_margin + cost - 1e-6
        # Letting a misprint's relations go altogether is a relaxation: its optimum bounds the trial's, and where its
        # values already agree on one meant value, it is the trial's optimum. The others are solved, the likeliest
        # ``printed_error_solved`` of them by that bound. Outcomes: the explanations that stand (``_misprinted``).
        outcomes: list[tuple[float, str, dict[str, Number | None]]] = []
        bounded: list[tuple[float, str]] = []
        for c in tried:
            errs = [*errors, c]
            loose = plans.score([inv for inv in enforced if not any(e in inv.fields for e in errs)], need)
            if plans.slow:
                return plans, [], []
            if loose is None:
                continue
            m = _one_meant(c, rels_of[c], loose[1], tol) if not errors else None
            if m is None:
                bounded.append((loose[0], c))
            elif _misprinted(errs, got := {**loose[1], c: m}, plans.reading, values, plans.free, rels_of,
                             settled, tol):
                outcomes.append((loose[0], c, got))
        # the best outcome so far: a trial whose bound is not above it by the margin can neither beat nor tie it
        top = max((raw for raw, _, _ in outcomes), default=-math.inf)
        trials: dict[str, _Plans] = {}
        for bound, c in sorted(bounded, key=lambda b: (-b[0], b[1]))[:opts.printed_error_solved]:
            if bound <= top - opts.conflict_margin:
                break
            trials[c] = make_plans([*errors, c], _unpinned(pinned, [*errors, c], rels_of))
            solved = trials[c].score(enforced, max(need, top - opts.conflict_margin))
            if trials[c].slow:
                return plans, [], []
            if solved is not None and _misprinted([*errors, c], solved[1], plans.reading, values, plans.free,
                                                   rels_of, settled, tol):
                outcomes.append((solved[0], c, solved[1]))
                top = max(top, solved[0])
        for raw, c, got_values in sorted(outcomes, key=lambda o: o[1]):
            score = raw - cost
            found.append((score, c, got_values))
            if score > base + opts.conflict_margin and (best is None or score > best[0]):
                plan = trials.get(c) or make_plans([*errors, c], _unpinned(pinned, [*errors, c], rels_of))
                best = (score, c, plan, got_values)
        if best is None:
            break
        base, c, current, values = best
        errors = [*errors, c]
    step = len(errors)
    ties = [v for score, c, v in (rounds[step] if opts.printed_error_ties and step < len(rounds) else [])
            if score > base - opts.conflict_margin]
    return current, errors, ties


def repair(cells: Mapping[str, Sequence[Candidate]], confident: Iterable[str], invariants: Sequence[Invariant],
           options: RepairOptions | None = None, *, seen: Mapping[str, AbstractSet[Number]] | None = None,
           shared: SolveCache | None = None) -> RepairResult:
    """Choose every cell's value jointly under the relations (see the module docstring).

    ``cells``: candidates per field key, the reading first (``cell_candidates``); an empty list is an unreadable
    cell; a single blank candidate a printed blank. ``confident``: keys fixed to their reading. ``seen``: for an
    unreadable cell, the numbers the recogniser's decodings name (``passes.seen_numbers``): one of them implied by a
    relation is corroborated by the reading itself.
    """
    opts = options or RepairOptions()
    fixed_keys = set(confident)
    reading: dict[str, Number | None] = {}
    blank: set[str] = set()
    absent: set[str] = set()  # unreadable and fixed: no value at all
    free: set[str] = set()
    variable: set[str] = set()
    for key, cands in cells.items():
        if not cands:
            reading[key] = None
            (absent if key in fixed_keys else free).add(key)
            continue
        reading[key] = cands[0].value
        if cands[0].value is None:
            blank.add(key)
        elif key not in fixed_keys and len(cands) > 1:
            variable.add(key)

    rel_of: dict[str, list[str]] = {}
    for inv in invariants:
        for k in inv.fields:
            rel_of.setdefault(k, []).append(inv.id)
    enforced = [inv for inv in invariants
                if all(k in cells and k not in blank and k not in absent for k in inv.fields)]
    enforced_of: dict[str, list[Invariant]] = {}
    for inv in enforced:
        for k in inv.fields:
            enforced_of.setdefault(k, []).append(inv)

    warnings: list[str] = []
    plans = _Plans(cells, free, variable, reading, opts, shared)
    printed_errors: list[str] = []
    ties: list[dict[str, Number | None]] = []
    solve_plans = plans
    if opts.printed_error_penalty > 0:
        settled_keys = {k for k in cells if k in fixed_keys or len(cells[k]) == 1} - blank - absent

        def make_plans(errs: Sequence[str], pinned: Mapping[str, Number]) -> _Plans:
            return _Plans({**cells, **{e: [] for e in errs}}, (free - set(pinned)) | set(errs),
                          variable - set(errs), {**reading, **pinned, **{e: None for e in errs}}, opts, plans._shared)
        solve_plans, printed_errors, ties = _printed_errors(plans, enforced, enforced_of, settled_keys, opts,
                                                            make_plans)
    groups, _ = solve_plans.components(enforced)
    printed_set = set(printed_errors)

    chosen: dict[str, tuple[Number | None, int]] = {}  # key -> (value, candidate index or -1 implied)
    conflict: set[str] = set()
    unresolved_free: set[str] = set()
    margins: dict[str, float] = {}
    alt_values: dict[str, Number] = {}  # the forbidden-choice optimum's value of a changed cell
    conflict_alt: dict[str, Number] = {}  # the value a conflict cell would take in the other explanation
    for keys, rels in groups:
        solved, solve_warnings = solve_plans.solve(keys, rels)
        warnings.extend(solve_warnings)
        if solved is None:
            continue
        problem, solver, best = solved
        for i, k in enumerate(keys):
            if k not in printed_set:  # (its value in the solve: the one meant; it stays as printed)
                chosen[k] = (best.value(problem, i), best.choice[i])
        # conflicts: is every change clearly better than the best alternative to it?
        for i, k in enumerate(keys):
            if (not problem.free[i] and best.choice[i] == 0) or k in printed_set:
                continue
            index = best.free_value[i] if problem.free[i] else best.choice[i]
            try:
                alt = solver.best(Forbid(i, index), cutoff=best.objective - opts.conflict_margin)
            except RuntimeError as exc:
                warnings.append(f"{k}: conflict check failed ({exc}); treated as a conflict")
                conflict.add(k)
                continue
            if alt is None:
                continue
            gap = best.objective - alt.objective
            margins[k] = gap
            alt_values[k] = alt.value(problem, i)
            if gap <= opts.conflict_margin:
                for j, kj in enumerate(keys):
                    if kj not in printed_set and (j == i or not best.same(problem, j, alt)):
                        (unresolved_free if problem.free[j] else conflict).add(kj)
                        bj, aj = best.value(problem, j), alt.value(problem, j)
                        conflict_alt.setdefault(kj, bj if bj != reading[kj] else aj)
    for k in free - solve_plans.free:  # lost numbers the explanation by printed errors kept at their values
        chosen[k] = (solve_plans.reading[k], -1)
    for other in ties:  # an explanation by a printed error about as good: where it sets a cell otherwise, no guess
        for k, value in other.items():
            mine = chosen[k][0] if k in chosen else reading[k]
            if value != mine and k not in printed_set and k not in fixed_keys:
                (unresolved_free if k in free else conflict).add(k)
                conflict_alt.setdefault(k, mine if mine != reading[k] else value)
    solves = plans.solves() + (solve_plans.solves() if solve_plans is not plans else 0)

    out: dict[str, CellRepair] = {}
    for key, cands in cells.items():

        def make(value: Number | None, status: ValueStatus, prob: float, origin: str,
                 runner_up: Candidate | None, key: str = key, cands: Sequence[Candidate] = cands) -> CellRepair:
            return CellRepair(key=key, reading=reading[key], value=value, status=status, prob=prob, origin=origin,
                              confident=key in fixed_keys, candidates=tuple(cands),
                              relations=tuple(rel_of.get(key, ())), runner_up=runner_up, margin=margins.get(key),
                              blank=key in blank)

        if key in free or key in absent:
            if key in chosen and key not in unresolved_free:
                out[key] = make(chosen[key][0], ValueStatus.REPAIRED, math.exp(opts.unreadable_log_prior),
                                IMPLIED, _alt(alt_values.get(key)))
            else:
                out[key] = make(None, ValueStatus.UNREADABLE, 0.0, "unreadable", _alt(alt_values.get(key)))
            continue
        top = cands[0]
        pick = chosen.get(key)
        if key in conflict:
            out[key] = make(top.value, ValueStatus.CONFLICT, top.prob, top.origin,
                            _alt(conflict_alt.get(key), cands) or _runner_up(cands))
        elif pick is None or pick[1] == 0:
            out[key] = make(top.value, ValueStatus.READ, top.prob, top.origin, _runner_up(cands))
        else:
            cand = cands[pick[1]]
            out[key] = make(cand.value, ValueStatus.REPAIRED, cand.prob, cand.origin,
                            _alt(alt_values.get(key), cands) or top)

    out, values, implied_alone = settle_implied(out, cells, fixed_keys, enforced_of, seen or {}, opts)
    checks, broken, derived, check_warnings = check_all(list(invariants), values)
    derived.update(implied_alone)
    warnings.extend(check_warnings)
    relations: list[RelationOutcome] = []
    flags: list[str] = []
    unresolved: list[str] = []
    broken_set = set(broken)
    certain = {k for k in cells if k in fixed_keys or len(cells[k]) == 1}
    vouched: set[str] = set()
    if opts.flag_vouched:  # unsure cells, read or repaired to a candidate, that another relation vouches for
        eligible = {k for k, c in out.items() if c.status is ValueStatus.READ
                    or (c.status is ValueStatus.REPAIRED and c.origin != IMPLIED)}
        vouched = vouched_for(eligible, certain, enforced_of, values, opts.tolerance)
    printed = set(printed_errors)
    for inv, chk in zip(invariants, checks, strict=True):
        verdict = judge(inv, chk, out, values, certain, vouched, enforced_of, broken_set, printed, opts)
        relations.append(RelationOutcome(
            id=inv.id, status=chk.status, as_read=_status(inv, reading, cells, opts.tolerance),
            confident=all(k in certain for k in inv.fields),
            changed=tuple(k for k in inv.fields if k in out and out[k].status is ValueStatus.REPAIRED),
            flagged=verdict.flagged, unresolved=verdict.unresolved,
        ))
        if verdict.flagged:
            flags.append(inv.id)
        elif verdict.unresolved:
            unresolved.append(inv.id)
    return RepairResult(cells=out, relations=relations, checks=checks, flags=flags, unresolved=unresolved,
                        derived=derived, warnings=warnings, solves=solves, printed_errors=printed_errors,
                        meant=_meant(printed_errors, enforced_of, values, opts.tolerance))


def _meant(errors: Sequence[str], enforced_of: Mapping[str, Sequence[Invariant]],
           values: Mapping[str, Number | None], tol: float) -> dict[str, Number]:
    """Per cell taken for printed wrong, the value that would make its broken relations hold, where those that
    have no other such cell all break by one amount d (the printed value less d, at least 0)."""
    meant: dict[str, Number] = {}
    for key in errors:
        if values.get(key) is None:
            continue
        m = _agreed(key, [inv for inv in enforced_of.get(key, []) if sign(inv, key) and not holds(inv, values, tol)
                          and not any(k in errors and k != key for k in inv.fields)], values, tol)
        if m is None:
            continue
        meant[key] = round(m) if abs(m - round(m)) <= tol else round(m, 2)
    return meant


def _never_changed(movable: set[str], free: set[str], enforced: Sequence[Invariant],
                   settled: Callable[[Invariant], bool]) -> set[str]:
    """Cells that no optimum changes (exact dominance): reverting a change of cell v to its reading saves its cost
    (> 0), and the release penalty of every relation that holds as read in which v is the only cell that may move;
    it can cost at most one penalty per other relation of v. Where the first kind are at least as many, reverting is
    strictly better, so v stays as read. Fixing one cell can settle another: repeated until nothing changes.
    ``settled``: whether a relation has no unreadable cell and holds as read."""
    rels_of: dict[str, list[Invariant]] = {}
    holds = {inv.id: settled(inv) for inv in enforced}
    for inv in enforced:
        for k in dict.fromkeys(inv.fields):
            rels_of.setdefault(k, []).append(inv)
    still = set(movable)
    in_still = {inv.id: len(still.intersection(inv.fields)) for inv in enforced}  # cells of it that may move
    fixed: set[str] = set()
    changed = True
    while changed:
        changed = False
        for v in sorted(still - free):
            alone = other = 0
            for inv in rels_of.get(v, []):
                if holds[inv.id] and in_still[inv.id] == 1:  # v the only one
                    alone += 1
                else:
                    other += 1
            if alone >= other:
                still.discard(v)
                for inv in rels_of.get(v, []):
                    in_still[inv.id] -= 1
                fixed.add(v)
                changed = True
    return fixed


def _alt(value: Number | None, cands: Sequence[Candidate] = ()) -> Candidate | None:
    if value is None:
        return None
    for c in cands:
        if c.value == value:
            return c
    return Candidate(value, 0.0, IMPLIED)


def _runner_up(cands: Sequence[Candidate]) -> Candidate | None:
    return cands[1] if len(cands) > 1 else None


def _status(inv: Invariant, reading: Mapping[str, Number | None], cells: Mapping[str, Sequence[Candidate]],
            tol: float) -> RelationStatus:
    if any(k not in cells or reading[k] is None for k in inv.fields):
        return RelationStatus.INCOMPLETE
    return RelationStatus.HOLDS if holds(inv, reading, tol) else RelationStatus.BROKEN


def _build(keys: list[str], rels: list[Invariant], cells: Mapping[str, Sequence[Candidate]], free: set[str],
           reading: Mapping[str, Number | None], opts: RepairOptions) -> Problem:
    index = {k: i for i, k in enumerate(keys)}
    coef = np.zeros((len(rels), len(keys)))
    const = np.zeros(len(rels))
    for r, inv in enumerate(rels):
        for side, weight in ((inv.lhs, 1.0), (inv.rhs, -1.0)):
            for k in side:
                if k in index:
                    coef[r, index[k]] += weight
                else:
                    const[r] += weight * float(reading[k] or 0)
    values, logp = [], []
    for k in keys:
        cands = [] if k in free else cells[k]
        values.append(np.array([float(c.value or 0) for c in cands]))
        logp.append(np.log(np.maximum(np.array([c.prob for c in cands]), 1e-300)))
    return Problem(keys=keys, values=values, logp=logp, free=[k in free for k in keys],
                   rel_ids=[inv.id for inv in rels], coef=coef, const=const, penalty=opts.release_penalty,
                   tol=opts.tolerance, free_logp=opts.unreadable_log_prior)
