"""Reports of a `PlanResult`: a terminal table, Markdown for the annual report, one HTML file.

Each renderer is a pure function of the result and the language (French by default):

    from indicateurs.render import render
    text = render(result, "markdown", lang="fr")

The submodules are imported on demand, so that `rich` and `jinja2` load only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..i18n import Lang
    from ..results import PlanResult

Format = Literal["html", "markdown", "table"]
FORMATS: tuple[Format, ...] = ("html", "markdown", "table")


def render(result: PlanResult, fmt: Format, *, lang: Lang | None = None, color: bool | None = None) -> str:
    """The report of `result` in format `fmt`; `color` only concerns the terminal table."""
    if fmt == "html":
        from .html import render_html

        return render_html(result, lang=lang)
    if fmt == "markdown":
        from .markdown import render_markdown

        return render_markdown(result, lang=lang)
    if fmt == "table":
        from .terminal import render_table

        return render_table(result, lang=lang, color=color)
    raise ValueError(f"unknown report format: {fmt!r}")


__all__ = ["FORMATS", "Format", "render"]
