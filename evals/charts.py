"""Small, dependency-free SVG charts for the self-contained HTML report (no JS, no CDN: banks run offline)."""

from __future__ import annotations

from html import escape

from evals.core import Confusion

PALETTE = ("#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#65a30d", "#db2777")


def metric_bars(metrics: dict[str, float], thresholds: dict[str, float], *, width: int = 560) -> str:
    """One horizontal bar per metric (0–1 scale) with its threshold marked; misses in red."""
    names = sorted(metrics)
    row, label_w, bar_w = 26, 210, width - 290
    height = row * len(names) + 10
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
    ]
    for i, name in enumerate(names):
        value = metrics[name]
        y = 5 + i * row
        limit = thresholds.get(name)
        is_max = name.endswith("_rate_max")
        missed = limit is not None and (value > limit if is_max else value < limit)
        colour = "#dc2626" if missed else "#16a34a"
        filled = max(0.0, min(value, 1.0)) * bar_w
        parts.append(f'<text x="0" y="{y + 15}" class="lbl">{escape(name)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="16" fill="#e5e7eb"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{filled:.1f}" height="16" fill="{colour}"/>')
        if limit is not None:
            x = label_w + max(0.0, min(limit, 1.0)) * bar_w
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + 22}" stroke="#111827" stroke-width="2"/>'
            )
        parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + 15}" class="val">{value:.3f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def trend_lines(
    series: dict[str, list[float]], labels: list[str], *, width: int = 560, height: int = 200
) -> str:
    """Metric values across runs (oldest left), one line per metric, with a legend."""
    if not labels:
        return ""
    left, right, top, bottom = 40, 10, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(labels) - 1, 1)
    legend_h = 18 * len(series)
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height + legend_h}" width="{width}" '
             f'height="{height + legend_h}">']  # fmt: skip
    for tick in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - tick)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="4" y="{y + 4:.1f}" class="val">{tick:.1f}</text>')
    for i, (name, values) in enumerate(sorted(series.items())):
        colour = PALETTE[i % len(PALETTE)]
        points = " ".join(
            f"{left + j * step:.1f},{top + plot_h * (1 - max(0.0, min(v, 1.0))):.1f}"
            for j, v in enumerate(values)
        )
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        for point in points.split():
            cx, cy = point.split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
        ly = height + 14 + 18 * i
        parts.append(f'<rect x="{left}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{left + 18}" y="{ly}" class="lbl">{escape(name)}</text>')
    for j, label in enumerate(labels):
        if len(labels) <= 8 or j in (0, len(labels) - 1):
            # Edge labels anchor inwards so the first and last stay inside the chart.
            anchor = "start" if j == 0 else "end" if j == len(labels) - 1 else "middle"
            parts.append(f'<text x="{left + j * step:.1f}" y="{height - 8}" class="val" text-anchor="{anchor}">'
                         f"{escape(label)}</text>")  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def confusion_bars(confusion: Confusion, *, width: int = 560) -> str:
    """Per label: true positives, false positives and false negatives as stacked horizontal bars."""
    labels = confusion.labels
    peak = max(
        [confusion.tp.get(x, 0) + confusion.fp.get(x, 0) + confusion.fn.get(x, 0) for x in labels] + [1]
    )
    row, label_w = 22, 200
    bar_w = width - label_w - 60
    height = row * len(labels) + 30
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
    ]
    for i, label in enumerate(labels):
        y, x = 5 + i * row, float(label_w)
        parts.append(f'<text x="0" y="{y + 13}" class="lbl">{escape(label)}</text>')
        for count, colour in ((confusion.tp.get(label, 0), "#16a34a"), (confusion.fp.get(label, 0), "#f59e0b"),
                              (confusion.fn.get(label, 0), "#dc2626")):  # fmt: skip
            w = bar_w * count / peak
            if w:
                parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="14" fill="{colour}"/>')
            x += w
        totals = f"{confusion.tp.get(label, 0)}/{confusion.fp.get(label, 0)}/{confusion.fn.get(label, 0)}"
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 13}" class="val">{totals}</text>')
    legend_y = height - 8
    for k, (name, colour) in enumerate((("TP", "#16a34a"), ("FP", "#f59e0b"), ("FN", "#dc2626"))):
        parts.append(
            f'<rect x="{label_w + k * 70}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>'
        )
        parts.append(f'<text x="{label_w + k * 70 + 16}" y="{legend_y}" class="lbl">{name}</text>')
    parts.append("</svg>")
    return "".join(parts)
