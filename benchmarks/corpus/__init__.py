"""Synthetic 政府信息公开工作年度报告 generator: random consistent labels, rendered as HTML/DOCX/PDF."""

from .labels import (
    AGENCIES,
    BLANK_STYLES,
    LABEL_FORMAT,
    broken_relations,
    check_label,
    default_templates_dir,
    effective_invariants,
    load_template,
    random_label,
)
from .render import (
    RenderStyle,
    build_document,
    docx_to_pdf,
    printed_text,
    random_style,
    render_docx,
    render_html,
)

__all__ = [
    "AGENCIES",
    "BLANK_STYLES",
    "LABEL_FORMAT",
    "RenderStyle",
    "broken_relations",
    "build_document",
    "check_label",
    "default_templates_dir",
    "docx_to_pdf",
    "effective_invariants",
    "load_template",
    "printed_text",
    "random_label",
    "random_style",
    "render_docx",
    "render_html",
]
