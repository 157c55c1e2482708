"""The two editions of the national report format, loaded from the packaged template files."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel

TemplateId = Literal["2019", "2021"]
TEMPLATE_IDS: tuple[TemplateId, ...] = ("2019", "2021")


class ProactiveBlock(BaseModel):
    heading: str
    columns: dict[str, str]
    rows: dict[str, str]


class RequestRow(BaseModel):
    key: str
    label: str
    parent: str | None


class Invariant(BaseModel):
    id: str
    kind: Literal["total", "stated"]
    lhs: list[str]
    rhs: list[str]
    note: str = ""

    @property
    def fields(self) -> list[str]:
        return [*self.lhs, *self.rhs]


class Variant(BaseModel):
    field: str
    equals: list[str]
    note: str = ""


class Template(BaseModel):
    template: TemplateId
    issued_by: str
    variants: list[Variant]
    proactive_blocks: list[ProactiveBlock]
    request_rows: list[RequestRow]
    request_columns: dict[str, str]
    appeal_groups: dict[str, str]
    appeal_columns: dict[str, str]
    fields: dict[str, list[str]]
    invariants: list[Invariant]

    def invariants_for(self, single_other_handling: bool) -> list[Invariant]:
        """The relations as they apply to a report; see the spec on the （六）其他处理 variant.

        Where a 2021-format report prints one （六）其他处理 row, its relations use
        ``requests.other_handling.*`` in place of the three sub-rows, and the row relation of
        that row is ``requests.row_sum.other_handling``.
        """
        if not single_other_handling or not self.variants:
            return list(self.invariants)
        replaced = {part: v.field for v in self.variants for part in v.equals}
        sub_row_keys = {part.split(".")[1] for v in self.variants for part in v.equals}
        out: list[Invariant] = []
        seen_row_sum = False
        for inv in self.invariants:
            row = inv.id.removeprefix("requests.row_sum.")
            if inv.id.startswith("requests.row_sum.") and row in sub_row_keys:
                if seen_row_sum:
                    continue
                seen_row_sum = True
                cols = [c for c in self.request_columns if c != "total"]
                out.append(
                    Invariant(
                        id="requests.row_sum.other_handling",
                        kind="total",
                        lhs=[f"requests.other_handling.{c}" for c in cols],
                        rhs=["requests.other_handling.total"],
                        note=inv.note,
                    )
                )
                continue
            lhs = _dedupe([replaced.get(f, f) for f in inv.lhs])
            rhs = _dedupe([replaced.get(f, f) for f in inv.rhs])
            out.append(Invariant(id=inv.id, kind=inv.kind, lhs=lhs, rhs=rhs, note=inv.note))
        return out

    def field_keys(self, single_other_handling: bool) -> list[str]:
        """Field keys a report of this template prints, in template order."""
        variant_fields = {v.field for v in self.variants}
        sub_rows = {p for v in self.variants for p in v.equals}
        skip = sub_rows if single_other_handling else variant_fields
        return [k for k in self.fields if k not in skip]


def _dedupe(keys: list[str]) -> list[str]:
    seen: set[str] = set()
    return [k for k in keys if not (k in seen or seen.add(k))]


@cache
def load_template(template_id: TemplateId) -> Template:
    if template_id not in TEMPLATE_IDS:
        raise ValueError(f"unknown template {template_id!r}; known: {', '.join(TEMPLATE_IDS)}")
    data = resources.files("govreport.schema").joinpath(f"data/template-{template_id}.json")
    text = data.read_text("utf-8")
    return Template.model_validate(json.loads(text))
