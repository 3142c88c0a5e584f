"""Server-rendered charts for insights: inline SVG with a text summary, readable without colour
(values are printed in the cells and on the points, not only shaded)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from markupsafe import Markup

from mindbridge.insights.domain import HEATMAP_BLOCK_HOURS, WEEKDAYS, Cell


def heatmap_table(cells: Sequence[Cell], metric: str, caption: str) -> Markup:
    """Weekday x time-of-day as an HTML table: each cell shows the mean and its count, and the
    shade repeats the number for those who can see it."""
    blocks = 24 // HEATMAP_BLOCK_HOURS
    grid = {(c.weekday, c.block): c for c in cells}
    head = "".join(
        f'<th scope="col">{b * HEATMAP_BLOCK_HOURS:02d}–{(b + 1) * HEATMAP_BLOCK_HOURS:02d}</th>'
        for b in range(blocks)
    )
    rows = []
    for wd in range(7):
        tds = []
        for b in range(blocks):
            cell = grid.get((wd, b))
            value = getattr(cell, metric) if cell else None
            if value is None or cell is None:
                tds.append('<td class="muted">·</td>')
                continue
            # Darker = higher, on a 0-10 scale (classes h0..h10 in app.css: the page's content
            # security policy allows no inline styles); the number is printed either way.
            tds.append(
                f'<td class="h{round(value)}">{value:.1f}<br><span class="n">n={cell.n}</span></td>'
            )
        rows.append(f'<tr><th scope="row">{WEEKDAYS[wd][:3]}</th>{"".join(tds)}</tr>')
    # Only numbers and escaped captions go into these strings.
    return Markup(  # noqa: S704
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(caption)}">'
        f'<table class="heat"><caption>{escape(caption)}</caption>'
        f'<thead><tr><th scope="col">Day</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
        "</table></div>"
    )


def trajectory_svg(
    points: Sequence[tuple[date, float, float]], *, title: str, width: int = 640, height: int = 200
) -> Markup:
    """Daily mean mood (solid, circles) and anxiety (dashed, squares) on 0-10."""
    if not points:
        return Markup("")  # the text summary beside the chart already says so
    pad_l, pad_r, pad_t, pad_b = 34, 10, 10, 24
    first, last = points[0][0], points[-1][0]
    span = max(1, (last - first).days)

    def x(d: date) -> float:
        return pad_l + (width - pad_l - pad_r) * (d - first).days / span

    def y(v: float) -> float:
        return pad_t + (height - pad_t - pad_b) * (1 - v / 10)

    grid = "".join(
        f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
        f'stroke="#d8dadc"/><text x="4" y="{y(v) + 4:.1f}" font-size="11">{v}</text>'
        for v in (0, 5, 10)
    )
    mood = " ".join(f"{x(d):.1f},{y(m):.1f}" for d, m, _ in points)
    anx = " ".join(f"{x(d):.1f},{y(a):.1f}" for d, _, a in points)
    marks = "".join(
        f'<circle cx="{x(d):.1f}" cy="{y(m):.1f}" r="2.5" fill="#1d5f8a"/>'
        f'<rect x="{x(d) - 2:.1f}" y="{y(a) - 2:.1f}" width="4" height="4" fill="#a4161a"/>'
        for d, m, a in points
    )
    labels = (
        f'<text x="{pad_l}" y="{height - 6}" font-size="11">{first.strftime("%d %b")}</text>'
        f'<text x="{width - pad_r}" y="{height - 6}" font-size="11" text-anchor="end">'
        f"{last.strftime('%d %b')}</text>"
    )
    return Markup(  # noqa: S704
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" class="chart">{grid}'
        f'<polyline points="{mood}" fill="none" stroke="#1d5f8a" stroke-width="2"/>'
        f'<polyline points="{anx}" fill="none" stroke="#a4161a" stroke-width="2" '
        f'stroke-dasharray="5 3"/>{marks}{labels}</svg>'
        '<p class="muted">Solid line with circles: mood. Dashed line with squares: anxiety. '
        "0 to 10, one point per day (the day's average).</p>"
    )


def trajectory_summary(points: Sequence[tuple[date, float, float]]) -> str:
    """The chart in words, for screen readers and for anyone in a hurry."""
    if not points:
        return "No check-ins in this period."
    n = len(points)
    half = max(1, n // 2)
    early_m = sum(p[1] for p in points[:half]) / half
    late_m = sum(p[1] for p in points[-half:]) / half
    early_a = sum(p[2] for p in points[:half]) / half
    late_a = sum(p[2] for p in points[-half:]) / half

    def move(a: float, b: float) -> str:
        if abs(b - a) < 0.5:
            return f"stayed about the same ({a:.1f} to {b:.1f})"
        return f"{'rose' if b > a else 'fell'} from {a:.1f} to {b:.1f}"

    return (
        f"{n} days with a check-in between {points[0][0].strftime('%d %b')} and "
        f"{points[-1][0].strftime('%d %b %Y')}. Comparing the first and second half, mood "
        f"{move(early_m, late_m)} and anxiety {move(early_a, late_a)}."
    )


def report_charts(
    heatmap: Sequence[Cell], trajectory: Sequence[tuple[date, float, float]]
) -> dict[str, Markup | str]:
    """The charts every insights view shows, built one way for the page and the overview."""
    return {
        "mood_heat": heatmap_table(heatmap, "mood", "Average mood by weekday and time of day"),
        "anxiety_heat": heatmap_table(
            heatmap, "anxiety", "Average anxiety by weekday and time of day"
        ),
        "trajectory": trajectory_svg(trajectory, title="Daily mood and anxiety, last 90 days"),
        "trajectory_text": trajectory_summary(trajectory),
    }
