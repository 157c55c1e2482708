"""Random, self-consistent benchmark labels (``disclosure-report-labels/1``).

A label holds what a synthetic report prints: parts are drawn first, totals are computed from them,
then blank styles and (optionally) deliberate sum errors are applied.  ``broken_relations`` is the one
function that decides which template invariants a set of cells breaks.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

LABEL_FORMAT = "disclosure-report-labels/1"
TEMPLATES = ("2019", "2021")
BLANK_STYLES = ("zero", "blank_org", "blank_total_only")

APPLICANT_COLUMNS = ("natural_person", "business", "research", "nonprofit", "legal_services", "other_org")
ORG_COLUMNS = APPLICANT_COLUMNS[1:]
OTHER_HANDLING_SUBROWS = ("other_no_supplement", "other_unpaid_fee", "other_other")
NON_RESULT_ROWS = ("new", "carried_over", "results_total", "carried_forward")

AGENCIES: tuple[str, ...] = (
    "淮安市洪泽区人民政府",
    "赣州市南康区民政局",
    "苏州市吴江区教育局",
    "淄博市张店区民政局",
    "南京市江宁区人民政府",
    "杭州市西湖区卫生健康局",
    "成都市武侯区市场监督管理局",
    "宁波市鄞州区自然资源和规划局",
    "合肥市蜀山区人民政府",
    "长沙市岳麓区住房和城乡建设局",
    "无锡市惠山区人力资源和社会保障局",
    "徐州市铜山区交通运输局",
    "温州市瓯海区生态环境分局",
    "佛山市顺德区人民政府办公室",
    "泉州市晋江市财政局",
    "洛阳市涧西区人民政府",
    "襄阳市樊城区农业农村局",
    "绵阳市涪城区应急管理局",
    "桂林市七星区司法局",
    "盐城市亭湖区城市管理局",
    "江西省民政厅",
    "湖北省生态环境厅",
    "扬州市人民政府",
    "常州市武进区审计局",
    "南通市崇川区退役军人事务局",
    "嘉兴市秀洲区文化广电旅游体育局",
    "赣州市章贡区水利局",
    "济南市历下区商务局",
    "昆山市千灯镇人民政府",
    "宿迁市宿豫区发展和改革委员会",
)


def default_templates_dir() -> Path:
    """``<repo>/govreport/schema/data`` where the two template JSON files live."""
    return Path(__file__).resolve().parents[2] / "govreport" / "schema" / "data"


def load_template(template: str, templates_dir: Path | None = None) -> dict[str, Any]:
    """Load ``template-{template}.json`` from ``templates_dir`` (default: ``default_templates_dir()``)."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}; expected one of {TEMPLATES}")
    path = (templates_dir or default_templates_dir()) / f"template-{template}.json"
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


# ---------------------------------------------------------------------------------------------------------
# relations


def is_single_row_other_handling(template_json: Mapping[str, Any], cells: Mapping[str, Any]) -> bool:
    """True for a 2021-format report printing one （六）其他处理 row (``requests.other_handling.*`` keys)."""
    if not template_json.get("variants"):
        return False
    has_single = any(k.startswith("requests.other_handling.") for k in cells)
    has_sub = any(k.startswith(f"requests.{row}.") for row in OTHER_HANDLING_SUBROWS for k in cells)
    return has_single and not has_sub


def effective_invariants(template_json: Mapping[str, Any], cells: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The template's invariants, with the other_handling substitution applied where the cells need it.

    For a 2021-format report with one （六）其他处理 row, each variant field replaces the sub-row keys it
    stands for (they collapse into one term), the sub-rows' own row relations are dropped and
    ``requests.row_sum.other_handling`` takes their place.
    """
    invariants: list[dict[str, Any]] = [dict(inv) for inv in template_json["invariants"]]
    if not is_single_row_other_handling(template_json, cells):
        return invariants
    replace: dict[str, str] = {}
    for variant in template_json["variants"]:
        for part in variant["equals"]:
            replace[part] = variant["field"]
    dropped = {f"requests.row_sum.{row}" for row in OTHER_HANDLING_SUBROWS}
    out: list[dict[str, Any]] = []
    for inv in invariants:
        if inv["id"] in dropped:
            if inv["id"] == f"requests.row_sum.{OTHER_HANDLING_SUBROWS[0]}":
                out.append(
                    {
                        "id": "requests.row_sum.other_handling",
                        "kind": "total",
                        "lhs": [f"requests.other_handling.{c}" for c in APPLICANT_COLUMNS],
                        "rhs": ["requests.other_handling.total"],
                        "note": "总计 is the sum of the six applicant columns",
                    }
                )
            continue
        new = dict(inv)
        for side in ("lhs", "rhs"):
            keys: list[str] = []
            for key in inv[side]:
                mapped = replace.get(key, key)
                if mapped not in keys:
                    keys.append(mapped)
            new[side] = keys
        out.append(new)
    return out


def _relation_status(inv: Mapping[str, Any], cells: Mapping[str, Any]) -> str:
    values: list[float] = []
    for key in [*inv["lhs"], *inv["rhs"]]:
        value = cells.get(key)
        if value is None:
            return "incomplete"
        values.append(float(value))
    n_lhs = len(inv["lhs"])
    return "holds" if math.isclose(sum(values[:n_lhs]), sum(values[n_lhs:]), abs_tol=1e-6) else "broken"


def broken_relations(template_json: Mapping[str, Any], cells: Mapping[str, Any]) -> list[str]:
    """Ids of the invariants that ``cells`` break, in template order.

    A relation with an absent or null cell is incomplete, not broken.  For a 2021-format single
    （六）其他处理 row the substituted relations are used (see ``effective_invariants``).
    """
    return [
        inv["id"]
        for inv in effective_invariants(template_json, cells)
        if _relation_status(inv, cells) == "broken"
    ]


# ---------------------------------------------------------------------------------------------------------
# random values


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(1 for _ in range(n) if rng.random() < p)


def _lognormal_int(rng: random.Random, median: float, sigma: float, cap: int) -> int:
    return min(cap, max(1, round(rng.lognormvariate(math.log(median), sigma))))


def _amount(rng: random.Random, median: float, sigma: float) -> float:
    return round(min(500000.0, max(0.01, rng.lognormvariate(math.log(median), sigma))), 2)


def _maybe_zero(rng: random.Random, p_zero: float, draw: int) -> int:
    return 0 if rng.random() < p_zero else draw


def _proactive_2021(rng: random.Random) -> dict[str, int | float]:
    v: dict[str, int | float] = {}
    reg = (0, 0, 0)
    if rng.random() >= 0.85:
        reg = (rng.randint(0, 5), rng.randint(0, 3), rng.randint(3, 120))
    v["proactive.regulations.issued_this_year"] = reg[0]
    v["proactive.regulations.repealed_this_year"] = reg[1]
    v["proactive.regulations.in_force"] = reg[2]
    issued = _maybe_zero(rng, 0.3, rng.randint(1, 40))
    v["proactive.normative_documents.issued_this_year"] = issued
    v["proactive.normative_documents.repealed_this_year"] = _maybe_zero(rng, 0.5, rng.randint(1, 15))
    v["proactive.normative_documents.in_force"] = issued + _maybe_zero(rng, 0.15, rng.randint(1, 300))
    v["proactive.licensing.decisions"] = _maybe_zero(rng, 0.2, _lognormal_int(rng, 600, 1.6, 250000))
    v["proactive.penalty.decisions"] = _maybe_zero(rng, 0.25, _lognormal_int(rng, 150, 1.5, 60000))
    v["proactive.coercion.decisions"] = _maybe_zero(rng, 0.5, _lognormal_int(rng, 12, 1.2, 3000))
    v["proactive.fees.amount"] = 0.0 if rng.random() < 0.5 else _amount(rng, 300.0, 2.0)
    return v


def _proactive_2019(rng: random.Random) -> dict[str, int | float]:
    v: dict[str, int | float] = {}
    if rng.random() < 0.85:
        reg = (0, 0, 0)
    else:
        made = rng.randint(0, 5)
        reg = (made, made, made + rng.randint(3, 100))
    v["proactive.regulations.made_this_year"] = reg[0]
    v["proactive.regulations.published_this_year"] = reg[1]
    v["proactive.regulations.total_published"] = reg[2]
    made = _maybe_zero(rng, 0.3, rng.randint(1, 30))
    published = made if rng.random() < 0.7 else made + rng.randint(0, 20)
    v["proactive.normative_documents.made_this_year"] = made
    v["proactive.normative_documents.published_this_year"] = published
    older = _maybe_zero(rng, 0.2, rng.randint(1, 400))
    v["proactive.normative_documents.total_published"] = published + older
    spans = {
        "licensing": (600, 0.2, 600, 1.6),
        "other_services": (40, 0.6, 80, 1.4),
        "penalty": (500, 0.25, 150, 1.5),
        "coercion": (15, 0.5, 12, 1.2),
    }
    for row, (items_max, p_zero, median, sigma) in spans.items():
        items = _maybe_zero(rng, p_zero, rng.randint(1, items_max))
        change = 0 if rng.random() < 0.6 else rng.randint(-min(items, 20), 30)
        v[f"proactive.{row}.items_last_year"] = items
        v[f"proactive.{row}.change_this_year"] = change
        v[f"proactive.{row}.decisions"] = _maybe_zero(rng, p_zero, _lognormal_int(rng, median, sigma, 250000))
    fee_items = _maybe_zero(rng, 0.5, rng.randint(1, 30))
    v["proactive.fees.items_last_year"] = fee_items
    v["proactive.fees.change_this_year"] = 0 if rng.random() < 0.75 else rng.randint(-min(fee_items, 5), 3)
    proc_items = _maybe_zero(rng, 0.4, _lognormal_int(rng, 15, 1.3, 2000))
    v["proactive.procurement.items"] = proc_items
    v["proactive.procurement.amount"] = 0.0 if proc_items == 0 else _amount(rng, 400.0, 1.8)
    return v


_RESULT_WEIGHTS: dict[str, float] = {
    "disclosed": 0.40,
    "partially_disclosed": 0.08,
    "withheld_state_secret": 0.003,
    "withheld_prohibited_by_law": 0.01,
    "withheld_security_stability": 0.005,
    "withheld_third_party": 0.02,
    "withheld_internal_affairs": 0.015,
    "withheld_process_info": 0.02,
    "withheld_enforcement_files": 0.01,
    "withheld_query_matters": 0.01,
    "unavailable_not_held": 0.25,
    "unavailable_needs_creation": 0.04,
    "unavailable_unclear": 0.03,
    "unprocessed_petition": 0.03,
    "unprocessed_repeated": 0.02,
    "unprocessed_publication": 0.005,
    "unprocessed_excessive": 0.005,
    "unprocessed_confirmation": 0.01,
    "other_handling": 0.05,
    "other_no_supplement": 0.02,
    "other_unpaid_fee": 0.002,
    "other_other": 0.03,
}


def _new_request_count(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.15:
        return rng.randint(0, 2)
    if r < 0.6:
        return rng.randint(3, 30)
    if r < 0.9:
        return rng.randint(31, 200)
    return rng.randint(201, 1500)


def _requests(template_json: Mapping[str, Any], rng: random.Random, *, orgs_allowed: bool) -> dict[str, int]:
    rows = [r["key"] for r in template_json["request_rows"]]
    result_rows = [k for k in rows if k not in NON_RESULT_ROWS]

    p_org = rng.choice((0.0, 0.0, 0.02, 0.05, 0.1, 0.2)) if orgs_allowed else 0.0
    org_mix = [0.55, 0.04, 0.04, 0.22, 0.15]
    org_mix = [w * rng.uniform(0.3, 1.7) for w in org_mix]
    norm = sum(org_mix)
    col_weights = [1.0 - p_org] + [p_org * w / norm for w in org_mix]

    n_new = _new_request_count(rng)
    new = dict.fromkeys(APPLICANT_COLUMNS, 0)
    for col in rng.choices(APPLICANT_COLUMNS, weights=col_weights, k=n_new):
        new[col] += 1

    carry_in_rate = rng.uniform(0.02, 0.15) if rng.random() < 0.4 else 0.0
    carry_out_rate = rng.uniform(0.01, 0.12) if rng.random() < 0.45 else 0.0
    weights = {}
    for key in result_rows:
        keep = key == "disclosed" or rng.random() > 0.3
        weights[key] = _RESULT_WEIGHTS[key] * rng.lognormvariate(0.0, 0.8) if keep else 0.0

    cells: dict[str, int] = {}
    for col in APPLICANT_COLUMNS:
        carried_over = _binomial(rng, new[col], carry_in_rate)
        available = new[col] + carried_over
        carried_forward = _binomial(rng, available, carry_out_rate)
        counts = dict.fromkeys(result_rows, 0)
        row_weights = [weights[k] for k in result_rows]
        for key in rng.choices(result_rows, weights=row_weights, k=available - carried_forward):
            counts[key] += 1
        cells[f"requests.new.{col}"] = new[col]
        cells[f"requests.carried_over.{col}"] = carried_over
        for key in result_rows:
            cells[f"requests.{key}.{col}"] = counts[key]
        cells[f"requests.results_total.{col}"] = sum(counts.values())
        cells[f"requests.carried_forward.{col}"] = carried_forward
    for row in rows:
        cells[f"requests.{row}.total"] = sum(cells[f"requests.{row}.{c}"] for c in APPLICANT_COLUMNS)
    return cells


def _appeals(template_json: Mapping[str, Any], rng: random.Random) -> dict[str, int]:
    p_any = {"review": 0.35, "suit_direct": 0.25, "suit_after_review": 0.15}
    cells: dict[str, int] = {}
    for group in template_json["appeal_groups"]:
        if rng.random() < p_any.get(group, 0.2):
            parts = {
                "upheld": rng.choice((0, 1, 1, 2, 3, 5, 8)),
                "corrected": rng.choice((0, 0, 0, 1, 2)),
                "other": rng.choice((0, 0, 1, 2)),
                "pending": rng.choice((0, 0, 1, 3)),
            }
        else:
            parts = {"upheld": 0, "corrected": 0, "other": 0, "pending": 0}
        for col in template_json["appeal_columns"]:
            if col == "total":
                cells[f"appeals.{group}.total"] = sum(parts.values())
            else:
                cells[f"appeals.{group}.{col}"] = parts[col]
    return cells


def _collapse_other_handling(cells: dict[str, int]) -> dict[str, int]:
    """Replace the three （六）其他处理 sub-rows by one ``requests.other_handling`` row."""
    out: dict[str, int] = {}
    for key, value in cells.items():
        row, col = key.split(".")[1:3] if key.startswith("requests.") else ("", "")
        if row in OTHER_HANDLING_SUBROWS:
            if row == OTHER_HANDLING_SUBROWS[0]:
                out[f"requests.other_handling.{col}"] = sum(
                    cells[f"requests.{sub}.{col}"] for sub in OTHER_HANDLING_SUBROWS
                )
            continue
        out[key] = value
    return out


def _apply_blank_style(cells: dict[str, int | float | None], blank_style: str) -> None:
    if blank_style == "zero":
        return
    blanked = ORG_COLUMNS if blank_style == "blank_org" else APPLICANT_COLUMNS
    for key in cells:
        if key.startswith("requests.") and key.rsplit(".", 1)[1] in blanked:
            cells[key] = None


def _perturb(value: int, rng: random.Random) -> int:
    if value > 0 and rng.random() < 0.3:
        return 0
    delta = rng.randint(1, max(1, min(10, value if value > 0 else 10)))
    if rng.random() < 0.5 and value - delta >= 0:
        return value - delta
    return value + delta


def misprintable_total(key: str) -> str | None:
    """The kind of total ``_break_sums`` may misprint ``key`` as (``appeal``, ``column`` or ``row`` of table 三), or
    None for a cell it never changes."""
    if key.startswith("appeals.") and key.endswith(".total"):
        return "appeal"
    if key.startswith("requests.results_total."):
        return "column"
    if key.startswith("requests.") and key.endswith(".total"):
        return "row"
    return None


def _break_sums(
    template_json: Mapping[str, Any], cells: dict[str, int | float | None], rng: random.Random
) -> list[str]:
    kinds: dict[str, list[str]] = {"row": [], "column": [], "appeal": []}
    for key, value in cells.items():
        kind = misprintable_total(key)
        if value is not None and kind is not None:
            kinds[kind].append(key)
    candidates = [keys for keys in kinds.values() if keys]
    n_changes = rng.choice((1, 1, 2))
    for _ in range(200):
        trial = dict(cells)
        chosen: set[str] = set()
        while len(chosen) < n_changes:
            chosen.add(rng.choice(rng.choice(candidates)))
        for key in sorted(chosen):
            trial[key] = _perturb(int(trial[key] or 0), rng)
        flags = broken_relations(template_json, trial)
        if flags:
            cells.update(trial)
            return flags
    raise RuntimeError("could not break any relation")  # pragma: no cover - every total sits in a relation


def random_label(
    template: str,
    rng: random.Random,
    *,
    other_handling_single_row: bool = False,
    blank_style: str = "zero",
    break_sums: bool = False,
    agency: str | None = None,
    year: int | None = None,
    templates_dir: Path | None = None,
) -> dict[str, Any]:
    """A random label of a ``template`` ("2019"/"2021") report whose invariants hold.

    ``blank_style``: "zero" (all printed), "blank_org" (the five 法人或其他组织 columns of table 三
    printed blank, i.e. null), "blank_total_only" (only table 三's 总计 column printed).
    ``other_handling_single_row``: 2021 only; use ``requests.other_handling.*`` instead of the three
    sub-rows (2019 always has the single row, so the flag changes nothing there).
    ``break_sums``: perturb one or two totals; the label then carries ``flags``, the ids of exactly the
    relations the printed cells break (``broken_relations``).
    """
    if blank_style not in BLANK_STYLES:
        raise ValueError(f"unknown blank_style {blank_style!r}; expected one of {BLANK_STYLES}")
    template_json = load_template(template, templates_dir)
    if year is None:
        year = rng.choice((2019, 2020)) if template == "2019" else rng.randint(2021, 2024)
    if agency is None:
        agency = rng.choice(AGENCIES)

    proactive = _proactive_2019(rng) if template == "2019" else _proactive_2021(rng)
    requests = _requests(template_json, rng, orgs_allowed=blank_style != "blank_org")
    single_row = other_handling_single_row and template == "2021"
    if single_row:
        requests = _collapse_other_handling(requests)
    appeals = _appeals(template_json, rng)

    values: dict[str, int | float] = {**proactive, **requests, **appeals}
    cells: dict[str, int | float | None] = {
        key: values[key] for key in label_keys(template_json, single_row=single_row)
    }

    _apply_blank_style(cells, blank_style)
    label: dict[str, Any] = {
        "format": LABEL_FORMAT,
        "template": template,
        "agency": agency,
        "year": year,
        "cells": cells,
    }
    if break_sums:
        label["flags"] = _break_sums(template_json, cells, rng)
    return label


def check_label(label: Mapping[str, Any], templates_dir: Path | None = None) -> list[str]:
    """Convenience: the relations a label's cells break (``broken_relations`` with its template)."""
    template_json = load_template(str(label["template"]), templates_dir)
    return broken_relations(template_json, label["cells"])


def label_keys(template_json: Mapping[str, Any], *, single_row: bool) -> Sequence[str]:
    """Field keys a complete label of this template carries, in table order."""
    keys = [k for k in template_json["fields"] if k.startswith("proactive.")]
    for row in template_json["request_rows"]:
        name = row["key"]
        if single_row and name in OTHER_HANDLING_SUBROWS:
            if name != OTHER_HANDLING_SUBROWS[0]:
                continue
            name = "other_handling"
        keys += [f"requests.{name}.{c}" for c in template_json["request_columns"]]
    keys += [k for k in template_json["fields"] if k.startswith("appeals.")]
    return keys
