"""Charts for the PDFs, drawn on the server as plain SVG (WeasyPrint draws inline SVG; a PDF
runs no JavaScript). One kind so far: a bar chart of a count per month, as the fact sheet's
"events per month". Every text is escaped; the chart carries a title and a description
(the figures themselves, for a reader that cannot see the bars)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

# Latvian month abbreviations (as printed in the ministry's publications).
MONTHS_LV = (
    "janv.",
    "febr.",
    "marts",
    "apr.",
    "maijs",
    "jūn.",
    "jūl.",
    "aug.",
    "sept.",
    "okt.",
    "nov.",
    "dec.",
)
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

BAR_COLOUR = "#9e3039"
AXIS_COLOUR = "#888888"
TEXT_COLOUR = "#333333"
FONT = "DejaVu Sans, Liberation Sans, sans-serif"


def month_labels(language: str) -> Sequence[str]:
    return MONTHS_LV if language == "lv" else MONTHS_EN


def _number(value: float) -> str:
    """A coordinate without a trailing ``.0`` (and never ``-0``)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def bar_chart(
    values: Sequence[int],
    labels: Sequence[str],
    *,
    title: str,
    description: str,
    width: int = 480,
    height: int = 200,
    chart_id: str = "chart",
) -> str:
    """A vertical bar chart: one bar per value (heights proportional to the values, the
    tallest bar filling the plot), the value above each bar, the label under it.
    ``chart_id`` makes the ids of the title and description unique in the page."""
    if len(values) != len(labels):
        raise ValueError("One label per value.")
    if any(value < 0 for value in values):
        raise ValueError("A bar chart of counts has no negative values.")
    top, bottom, side = 16.0, 22.0, 6.0
    plot_height = height - top - bottom
    baseline = top + plot_height
    slot = (width - 2 * side) / max(len(values), 1)
    bar_width = slot * 0.64
    peak = max(values, default=0)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f"aria-labelledby={quoteattr(f'{title_id} {desc_id}')}>",
        f"<title id={quoteattr(title_id)}>{escape(title)}</title>",
        f"<desc id={quoteattr(desc_id)}>{escape(description)}</desc>",
        f'<g font-family={quoteattr(FONT)} font-size="9" fill="{TEXT_COLOUR}" text-anchor="middle">',
    ]
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        centre = side + slot * index + slot / 2
        bar_height = plot_height * value / peak if peak else 0.0
        x = centre - bar_width / 2
        y = baseline - bar_height
        parts.append(
            f'<rect class="bar" x="{_number(x)}" y="{_number(y)}" width="{_number(bar_width)}" '
            f'height="{_number(bar_height)}" fill="{BAR_COLOUR}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        parts.append(f'<text class="value" x="{_number(centre)}" y="{_number(y - 3)}">{value}</text>')
        parts.append(
            f'<text class="label" x="{_number(centre)}" y="{_number(baseline + 13)}">{escape(label)}</text>'
        )
    parts.append("</g>")
    parts.append(
        f'<line x1="{_number(side)}" y1="{_number(baseline)}" x2="{_number(width - side)}" '
        f'y2="{_number(baseline)}" stroke="{AXIS_COLOUR}" stroke-width="0.8"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
