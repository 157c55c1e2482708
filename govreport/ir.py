"""The intermediate representation shared by every input path.

Readers (text-layer PDF, DOCX, HTML, plain text, and later OCR of scans) all produce a
:class:`Document`: pages holding words with boxes, and tables as grids of cells with spans.
The schema mapper consumes only this.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field


class TextSource(str, Enum):
    """Where a piece of text came from."""

    TEXT_LAYER = "text_layer"  # a PDF's embedded text
    OCR = "ocr"
    DOCX = "docx"
    HTML = "html"
    PLAIN_TEXT = "plain_text"


class BBox(BaseModel):
    """An axis-aligned box in page points (PDF) or pixels (images), origin top-left."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def union(self, other: BBox) -> BBox:
        return BBox(
            x0=min(self.x0, other.x0),
            y0=min(self.y0, other.y0),
            x1=max(self.x1, other.x1),
            y1=max(self.y1, other.y1),
        )

    def rounded(self) -> list[float]:
        return [round(self.x0, 1), round(self.y0, 1), round(self.x1, 1), round(self.y1, 1)]


class Word(BaseModel):
    """A run of text with its box, as a text layer or an OCR engine gives it."""

    text: str
    bbox: BBox
    confidence: float = 1.0
    source: TextSource = TextSource.TEXT_LAYER


class TextBlock(BaseModel):
    """A line or paragraph of running text outside tables, in reading order."""

    text: str
    page: int  # 1-based
    bbox: BBox | None = None


class Page(BaseModel):
    number: int  # 1-based
    width: float
    height: float
    source: TextSource
    words: list[Word] = Field(default_factory=list)


class TextAlternative(BaseModel):
    """One reading of a cell with its probability (OCR's top alternatives under a numeric alphabet)."""

    text: str
    prob: float


class Cell(BaseModel):
    """One grid cell (the top-left slot of a merged cell carries the spans)."""

    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    text: str = ""
    page: int | None = None  # 1-based, None where the format has no pages (DOCX, HTML)
    bbox: BBox | None = None
    confidence: float = 1.0
    source: TextSource = TextSource.TEXT_LAYER
    alternatives: list[TextAlternative] = Field(default_factory=list)  # best first; empty for text layers
    seal: bool = False  # a seal (red, or found by its ring) covered this cell on the scan


class Table(BaseModel):
    """A grid of cells. A table continuing over pages is joined into one grid; ``pages`` lists them."""

    n_rows: int
    n_cols: int
    cells: list[Cell]
    pages: list[int] = Field(default_factory=list)
    bbox: BBox | None = None
    # False where column indices carry no meaning (tables flattened to text): map by position only.
    aligned_columns: bool = True

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by the row where they start, each row sorted by column."""
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        for r in out:
            r.sort(key=lambda c: c.col)
        return out

    def covering(self, row: int) -> list[Cell]:
        """Cells that cover grid row ``row`` (including vertical merges started above), by column."""
        hits = [c for c in self.cells if c.row <= row < c.row + c.row_span]
        return sorted(hits, key=lambda c: c.col)


class Document(BaseModel):
    """What a reader produces: pages with words, the narrative text, and the tables in order."""

    path: str
    media_type: str
    pages: list[Page] = Field(default_factory=list)
    text_blocks: list[TextBlock] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    damaged: str | None = None  # why the file is suspect (truncated, repaired), where the reader saw it

    @property
    def full_text(self) -> str:
        return "\n".join(b.text for b in self.text_blocks)
