#!/usr/bin/env python3
"""Draws the CSV files of bench/run-memory-budget.sh as one SVG: the broker's resident set size (solid) and the
memory budget's usage (dashed) over time, one colour per run. Standard library only.

    bench/plot-rss.py OUT.svg rss-64MB.csv rss-90pct.csv ...
"""
import csv
import os
import sys

WIDTH, HEIGHT = 900, 480
LEFT, RIGHT, TOP, BOTTOM = 70, 200, 40, 50
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]


def read(path):
    rows = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                rows.append((float(row["seconds"]), float(row["rss_kib"]) / 1024,
                             float(row["budget_used_bytes"] or 0) / 1048576))
            except (KeyError, ValueError):
                continue
    return rows


def main(out, paths):
    runs = [(os.path.basename(p)[4:-4].replace("pct", "%"), read(p)) for p in paths]
    runs = [(name, rows) for name, rows in runs if rows]
    if not runs:
        sys.exit("no samples")
    max_t = max(r[-1][0] for _, r in runs) or 1
    max_y = max(max(max(s[1], s[2]) for s in r) for _, r in runs) * 1.1 or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t):
        return LEFT + t / max_t * plot_w

    def y(v):
        return TOP + plot_h - v / max_y * plot_h

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" '
           f'font-size="12">', f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
           f'<text x="{LEFT}" y="22" font-size="14">Rampart: resident set size (solid) and memory budget used '
           f'(dashed) while a stopped subscriber is flooded</text>']
    for i in range(6):
        v = max_y * i / 5
        svg.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="{LEFT - 8}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.0f}</text>')
        t = max_t * i / 5
        svg.append(f'<text x="{x(t):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{t:.0f}</text>')
    svg.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 10}" text-anchor="middle">seconds</text>')
    svg.append(f'<text x="16" y="{TOP + plot_h / 2}" transform="rotate(-90 16 {TOP + plot_h / 2})" '
               f'text-anchor="middle">MiB</text>')
    svg.append(f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#333"/>')
    for i, (name, rows) in enumerate(runs):
        colour = COLOURS[i % len(COLOURS)]
        rss = " ".join(f"{x(t):.1f},{y(m):.1f}" for t, m, _ in rows)
        used = " ".join(f"{x(t):.1f},{y(u):.1f}" for t, _, u in rows)
        svg.append(f'<polyline points="{rss}" fill="none" stroke="{colour}" stroke-width="2"/>')
        svg.append(f'<polyline points="{used}" fill="none" stroke="{colour}" stroke-width="1.5" '
                   f'stroke-dasharray="6 4"/>')
        ly = TOP + 20 + i * 40
        svg.append(f'<line x1="{LEFT + plot_w + 15}" x2="{LEFT + plot_w + 45}" y1="{ly}" y2="{ly}" '
                   f'stroke="{colour}" stroke-width="2"/>')
        svg.append(f'<text x="{LEFT + plot_w + 50}" y="{ly + 4}">budget {name}: RSS</text>')
        svg.append(f'<line x1="{LEFT + plot_w + 15}" x2="{LEFT + plot_w + 45}" y1="{ly + 16}" y2="{ly + 16}" '
                   f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="6 4"/>')
        svg.append(f'<text x="{LEFT + plot_w + 50}" y="{ly + 20}">budget used</text>')
    svg.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
