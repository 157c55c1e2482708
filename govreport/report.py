"""The typed result of extracting one report: what `govreport extract` serialises."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, Field

from govreport.ir import TextSource

REPORT_FORMAT = "govreport-report/1"
LABEL_FORMAT = "disclosure-report-labels/1"


class ValueStatus(str, Enum):
    """How a value was decided."""

    READ = "read"  # printed and read as is
    REPAIRED = "repaired"  # a garbled reading replaced using the sum relations
    DERIVED = "derived"  # not printed; implied by a relation (kept apart from printed values)
    CONFLICT = "conflict"  # two readings equally good; a person must decide
    UNREADABLE = "unreadable"  # text present but not a number


class Provenance(BaseModel):
    """Where a value came from."""

    page: int | None = None  # 1-based; None for formats without pages (DOCX, HTML, text)
    bbox: list[float] | None = None  # [x0, y0, x1, y1] in page points, origin top-left
    source: TextSource
    table: int  # index of the table (after joining across pages) in the document
    row: int
    col: int


class CandidateValue(BaseModel):
    """One reading of a scanned cell with its probability, and why it is a candidate."""

    value: int | float | None
    prob: float
    origin: str  # read, ocr-alternative, confusion:B/8, dropped-digit, …


class ReviewEntry(BaseModel):
    """Something a person should look at; the report lists them most important first."""

    key: str  # field key, or relation id
    kind: str  # conflict, unreadable, broken-relation, repaired, low-confidence
    value: int | float | None = None
    raw_text: str = ""
    reason: str
    priority: float


class FieldValue(BaseModel):
    """One printed cell under its field key."""

    key: str
    value: int | float | None  # what is printed; None = printed blank
    raw_text: str
    status: ValueStatus
    confidence: float
    unit: str | None = None  # 元 / 万元 where printed or stated by the column label
    note: str | None = None  # printed aside, e.g. 其中修订 16 件
    provenance: Provenance
    relations: list[str] = Field(default_factory=list)  # ids of the relations it takes part in
    candidates: list[CandidateValue] = Field(default_factory=list)  # readings repair chose among (scans)
    seal: bool = False  # a seal (red, or found by its ring) covered the cell on the scan


class DerivedValue(BaseModel):
    """A value a relation implies for a cell the report leaves blank. Never a printed value."""

    key: str
    value: int | float
    status: Literal[ValueStatus.DERIVED] = ValueStatus.DERIVED
    from_relations: list[str]


class RelationStatus(str, Enum):
    HOLDS = "holds"
    BROKEN = "broken"  # the printed values break it: the document's own inconsistency
    INCOMPLETE = "incomplete"  # a cell is blank or missing


class RelationCheck(BaseModel):
    id: str
    status: RelationStatus
    lhs: float | None = None  # sums as printed, where complete
    rhs: float | None = None
    blank: list[str] = Field(default_factory=list)  # keys printed blank
    missing: list[str] = Field(default_factory=list)  # keys not found in the document


class SectionText(BaseModel):
    number: str  # 一 … 六
    title: str
    text: str


class PageInfo(BaseModel):
    number: int
    source: TextSource


class Report(BaseModel):
    """Everything extracted from one document."""

    format: Literal["govreport-report/1"] = REPORT_FORMAT
    file: str
    media_type: str
    pages: list[PageInfo] = Field(default_factory=list)
    template: Literal["2019", "2021"] | None = None
    template_evidence: list[str] = Field(default_factory=list)
    single_other_handling_row: bool = False
    agency: str | None = None
    year: int | None = None
    publication_date: str | None = None  # ISO date where printed
    sections: list[SectionText] = Field(default_factory=list)
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    derived: dict[str, DerivedValue] = Field(default_factory=dict)
    checks: list[RelationCheck] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)  # ids of relations broken as printed
    unresolved: list[str] = Field(default_factory=list)  # broken where an unsure scanned cell takes part
    review: list[ReviewEntry] = Field(default_factory=list)  # what a person should look at, most important first
    missing_fields: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
