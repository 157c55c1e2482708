"""The extraction pipeline: read -> narrative -> template -> map -> values -> checks -> report."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from govreport.errors import GovreportError, InputError, NotAReportError
from govreport.ingest.images import PageImage
from govreport.ingest.loader import InputLimits, load_document
from govreport.ingest.scanned import ScannedPages, ScanOptions, read_scanned_pages
from govreport.ir import Document, TextSource
from govreport.ocr.base import LineRecognizer, PageReader
from govreport.ocr.engines import OcrOptions, make_page_reader, make_recognizer
from govreport.postprocess.candidates import (
    CellEvidence,
    is_lost_reading,
    number_among_lines,
    number_beside_lettering,
    numeric_decoding,
)
from govreport.postprocess.checks import check_all
from govreport.postprocess.columns import doubtful_under_seals
from govreport.postprocess.numbers import ParseOutcome, parse_number
from govreport.postprocess.passes import repair_cells
from govreport.postprocess.review import review_items
from govreport.report import CandidateValue, FieldValue, PageInfo, Provenance, Report, ReviewEntry, ValueStatus
from govreport.schema.detect import detect_template
from govreport.schema.mapper import MappedCell, map_document
from govreport.schema.narrative import read_narrative
from govreport.schema.templates import Invariant, Template, load_template
from govreport.textnorm import nfkc, squash

log = logging.getLogger(__name__)

BY_POSITION_CONFIDENCE = 0.6  # a value placed by position, not by its labels
SEAL_LINE_CONFIDENCE = 0.5  # a number every line of a sealed cell shows (a ring cut it into pieces)


@dataclass(frozen=True)
class ExtractOptions:
    limits: InputLimits = field(default_factory=InputLimits)
    scan: ScanOptions = field(default_factory=ScanOptions)
    ocr: OcrOptions = field(default_factory=OcrOptions)
    # Scanned values: repair garbled readings with the sum relations (False: every value as read, the
    # relations only checked; for measuring recognition on its own).
    repair: bool = True


class LazyScanner:
    """Builds the OCR engines on first use (a digital report never loads them), then reuses them."""

    def __init__(self, options: ExtractOptions) -> None:
        self.options = options
        self._engines: tuple[LineRecognizer, PageReader | None] | None = None

    def engines(self) -> tuple[LineRecognizer, PageReader | None]:
        if self._engines is None:
            recognizer = make_recognizer(self.options.ocr)
            scan = self.options.scan
            wants_reader = scan.narrative != "none" and scan.line_finder == "model"
            reader = make_page_reader(self.options.ocr) if wants_reader else None
            self._engines = (recognizer, reader)
        return self._engines

    @property
    def render_dpi(self) -> int:
        return self.options.scan.render_dpi

    def __call__(self, pages: Sequence[PageImage]) -> ScannedPages:
        recognizer, reader = self.engines()
        return read_scanned_pages(pages, recognizer, reader, self.options.scan)


@cache
def _default_scanner() -> LazyScanner:
    return LazyScanner(ExtractOptions())


def scanner_for(options: ExtractOptions) -> LazyScanner:
    return _default_scanner() if options == ExtractOptions() else LazyScanner(options)


def _column_unit(template: Template, key: str) -> str | None:
    labels = template.fields.get(key, [])
    text = "".join(labels)
    if "万元" in text:
        return "万元"
    if "单位：元" in text or "(元)" in text:
        return "元"
    return None


def _field_value(mc: MappedCell, template: Template) -> FieldValue:
    # OCR read non-number text in a value cell: take its decoding under the numeric alphabet.
    raw, cell_conf = numeric_decoding(mc.cell.text, mc.cell.confidence, mc.cell.alternatives)
    parsed = parse_number(raw)
    note = None
    # A reading of several lines that is no number, where one number stands out: under a seal the ring can cut a
    # printed number into pieces read apart, every line showing the same number ("0" over "O"); a seal's lettering,
    # found or not, leaves lines of text without a digit beside a lone 0. That number is taken at half the confidence
    # (the relations may still overrule it), the text kept in a note.
    for applies, number_in, what in (
            (mc.cell.seal, number_among_lines, "the same number on every line under a seal"),
            (mc.cell.source is TextSource.OCR, number_beside_lettering,
             "a 0 beside lines of text without digits (a seal's lettering?)")):
        line = number_in(raw) if applies and parsed.outcome is ParseOutcome.UNREADABLE and "\n" in raw else None
        if line is not None:
            note = f"{what}: {raw!r}"
            raw, cell_conf = line, cell_conf * SEAL_LINE_CONFIDENCE
            parsed = parse_number(raw)
    if (isinstance(parsed.value, float) and mc.cell.source is TextSource.OCR and _column_unit(template, mc.key) is None
            and re.fullmatch(r"[+\-]?\d{1,3}\.\d{3}", squash(nfkc(raw)))):
        # A count is a whole number: a point before three digits is a thousands separator the scan read as one
        # ("1,846" as "1.846").
        note = f"{raw!r}: the point read as a thousands separator (a count is a whole number)"
        parsed = parse_number(raw.replace(".", "").replace("。", ""))
    digital = mc.cell.source is not TextSource.OCR
    lost = parsed.outcome is ParseOutcome.BLANK and is_lost_reading(raw, cell_conf, digital)  # ink, nothing read
    if parsed.outcome is ParseOutcome.UNREADABLE or lost:
        status, value = ValueStatus.UNREADABLE, None
    else:
        status, value = ValueStatus.READ, parsed.value
    confidence = cell_conf * (BY_POSITION_CONFIDENCE if mc.by_position else 1.0)
    if status is ValueStatus.UNREADABLE:
        confidence = 0.0
    return FieldValue(
        key=mc.key,
        value=value,
        raw_text=raw,
        status=status,
        confidence=round(confidence, 4),
        unit=parsed.unit or _column_unit(template, mc.key),
        note=parsed.note or note,
        provenance=Provenance(
            page=mc.cell.page,
            bbox=mc.cell.bbox.rounded() if mc.cell.bbox else None,
            source=mc.cell.source,
            table=mc.table_index,
            row=mc.cell.row,
            col=mc.cell.col,
        ),
        seal=mc.cell.seal,
    )


def _cell_evidence(fv: FieldValue, mc: MappedCell, doubted: bool) -> CellEvidence:
    """What repair knows of one field: its text and confidence as ``_field_value`` left them, the recogniser's
    alternatives, where it came from. An unreadable OCR cell keeps the recogniser's confidence (not 0): it is evidence
    of ink in the cell; where its text is the numeric decoding that stood in for text that was no number, no more than
    that decoding's probability (as a decoding that parses gets). A ``doubted`` cell is ink without a reading."""
    cell = mc.cell
    if doubted:
        confidence, raw_text = 0.0, ""
    elif fv.status is not ValueStatus.UNREADABLE:
        confidence, raw_text = fv.confidence, fv.raw_text
    else:
        raw_text, confidence = fv.raw_text, numeric_decoding(cell.text, cell.confidence, cell.alternatives)[1]
    return CellEvidence(key=mc.key, raw_text=raw_text, confidence=confidence,
                        alternatives=() if doubted else tuple(cell.alternatives),
                        digital=cell.source is not TextSource.OCR, seal=cell.seal)


def _repair(report: Report, mapped: dict[str, MappedCell], invariants: list[Invariant],
            doubted: frozenset[str] = frozenset()) -> None:
    """Scanned values: joint repair under the sum relations; confident readings are never changed. The cells in
    ``doubted`` are offered as ink without a reading (a lost number, for the relations to imply or leave unreadable):
    readings under a seal that their column contradicts."""
    evidence = {k: _cell_evidence(fv, mapped[k], k in doubted) for k, fv in report.fields.items()}
    result = repair_cells(evidence, invariants)
    for k, c in result.cells.items():
        fv = report.fields[k]
        fv.value = c.value
        fv.status = c.status
        fv.candidates = [CandidateValue(value=x.value, prob=round(x.prob, 6), origin=x.origin) for x in c.candidates]
        if c.status is ValueStatus.REPAIRED:
            fv.confidence = round(min(fv.confidence, c.prob), 4)
    report.checks, report.flags, report.derived = result.checks, result.flags, result.derived
    report.unresolved = result.unresolved
    report.warnings.extend(result.warnings)
    report.review = [ReviewEntry(key=r.key, kind=r.status.value, value=r.value, raw_text=r.raw_text, reason=r.reason,
                                 priority=r.priority) for r in review_items(result, evidence)]


def _doubt_contradicted_seal_readings(report: Report) -> frozenset[str]:
    """Readings under seals that their column contradicts (``columns.doubtful_under_seals``) become unreadable, their
    text kept; returns their keys (their readings are not offered to repair)."""
    doubted = frozenset(doubtful_under_seals(report.fields))
    for key in doubted:
        fv = report.fields[key]
        what = "printed blank" if fv.value is not None else "of numbers"
        report.fields[key] = fv.model_copy(update={
            "status": ValueStatus.UNREADABLE, "value": None, "confidence": 0.0,
            "note": f"{fv.raw_text!r} read under a seal in a column {what}: the seal's strokes?"})
        report.warnings.append(f"{key}: {fv.raw_text!r} under a seal in a column {what} is left unreadable")
    return doubted


def build_report(doc: Document, repair: bool = True) -> Report:
    """Everything after reading: works the same for every input path."""
    narrative = read_narrative(doc)
    report = Report(
        file=doc.path,
        media_type=doc.media_type,
        pages=[PageInfo(number=p.number, source=p.source) for p in doc.pages],
        agency=narrative.agency,
        year=narrative.year,
        publication_date=narrative.publication_date,
        sections=narrative.sections,
        warnings=[*doc.warnings, *narrative.warnings],
    )
    guess = detect_template(doc, narrative.year)
    if guess.template is None:
        if doc.damaged:
            raise InputError(doc.path, f"{doc.damaged}; no standard table could be read from what remains")
        raise NotAReportError(doc.path, "none of the standard tables (二, 三, 四) was found: this does not look "
                              "like a 政府信息公开工作年度报告")
    report.template = guess.template
    report.template_evidence = guess.evidence
    template = load_template(guess.template)
    mapping = map_document(doc, template)
    if not mapping.cells:
        if not narrative.titled:
            raise NotAReportError(doc.path, "no cell of the standard tables could be read: this does not look "
                                  "like a 政府信息公开工作年度报告")
        # Titled as a report, but its tables gave nothing (a scan too faint or coarse for its rulings and digits
        # to survive): the report says so, with every field missing, rather than calling it no report.
        report.warnings.append(f"no cell of the standard tables could be read ({len(doc.tables)} table(s) "
                               "found): every field is missing")
    report.warnings.extend(mapping.warnings)
    report.single_other_handling_row = mapping.single_other_handling
    for key in template.field_keys(mapping.single_other_handling):
        mc = mapping.cells.get(key)
        if mc is None:
            report.missing_fields.append(key)
            continue
        fv = _field_value(mc, template)
        report.fields[key] = fv
        if fv.status is ValueStatus.UNREADABLE:
            report.warnings.append(f"{key}: printed text {fv.raw_text!r} is not a number")
    doubted = _doubt_contradicted_seal_readings(report)
    invariants = template.invariants_for(mapping.single_other_handling)
    if repair and any(mapping.cells[k].cell.source is TextSource.OCR for k in report.fields):
        _repair(report, mapping.cells, invariants, doubted)
    else:  # text-layer values are certain (or repair is off): the relations are only checked
        values = {k: f.value for k, f in report.fields.items() if f.status is not ValueStatus.UNREADABLE}
        checks, flags, derived, warnings = check_all(invariants, values)
        report.checks, report.flags, report.derived = checks, flags, derived
        report.warnings.extend(warnings)
        report.review = [ReviewEntry(key=f, kind="broken-relation", reason="the document breaks this sum as printed",
                                     priority=3.0) for f in flags]
        report.review += [ReviewEntry(key=k, kind="unreadable", raw_text=fv.raw_text, priority=4.0,
                                      reason="printed text is not a number")
                          for k, fv in report.fields.items() if fv.status is ValueStatus.UNREADABLE]
        report.review.sort(key=lambda r: -r.priority)
    for inv in invariants:
        for k in inv.fields:
            if k in report.fields:
                report.fields[k].relations.append(inv.id)
    if report.missing_fields and len(report.missing_fields) < len(template.field_keys(mapping.single_other_handling)):
        report.warnings.append(f"{len(report.missing_fields)} standard field(s) not found in the document")
    if not mapping.cells:
        report.review.insert(0, ReviewEntry(key="tables", kind="tables-unreadable", priority=5.0,
                                            reason="titled as a report, but no cell of its standard tables could "
                                                   "be read: every field is missing"))
    return report


def extract(path: Path | str, options: ExtractOptions | None = None, scanner: LazyScanner | None = None) -> Report:
    """Read one file and extract its report. Raises InputError for bad input."""
    options = options or ExtractOptions()
    return build_report(load_document(path, options.limits, scanner or scanner_for(options)), options.repair)


@dataclass
class Outcome:
    """The result for one file of a batch: a report, or the error that stopped it."""

    path: Path
    report: Report | None = None
    error: str | None = None
    internal: bool = False  # the error is a defect in govreport, not a fault of the file

    @property
    def ok(self) -> bool:
        return self.report is not None


def iter_extract(paths: Sequence[Path | str], options: ExtractOptions | None = None) -> Iterator[Outcome]:
    """Extract each file in turn, yielding its outcome as soon as it is done; a bad file is recorded
    and the others go on."""
    options = options or ExtractOptions()
    scanner = scanner_for(options)
    for path in map(Path, paths):
        try:
            yield Outcome(path, report=extract(path, options, scanner))
        except GovreportError as exc:
            yield Outcome(path, error=str(exc))
        except Exception as exc:  # a defect must not stop the other files of the batch
            log.exception("internal error while extracting %s", path)
            yield Outcome(path, error=f"{path}: internal error in govreport ({type(exc).__name__}: {exc}); "
                          "please report it with this file", internal=True)


def extract_many(paths: Sequence[Path | str], options: ExtractOptions | None = None) -> list[Outcome]:
    return list(iter_extract(paths, options))
