"""The process diagram, drawn server-side as SVG from the workflow definition.

States are laid out in columns by their distance from the initial state (a breadth-first
layering), transitions are arrows between boxes, the current state is filled. No
JavaScript, no external renderer; the page also lists the states as text for screen
readers (the SVG is ``aria-hidden``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from html import escape

from ..engine.definitions import Definition

__all__ = ["layout", "render_svg"]

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 150, 44, 56, 18, 12


@dataclass(frozen=True)
class Box:
    state: str
    x: int
    y: int


def layout(d: Definition) -> dict[str, Box]:
    depth = {d.initial: 0}
    queue = deque([d.initial])
    while queue:
        state = queue.popleft()
        for t in d.transitions:
            if state in t.sources:
                dest = t.dest_from(state)
                if dest not in depth:
                    depth[dest] = depth[state] + 1
                    queue.append(dest)
    for state in d.states:  # unreachable ones (never, definitions are checked) go last
        depth.setdefault(state, max(depth.values()) + 1)
    columns: dict[int, list[str]] = {}
    for state in d.states:  # file order keeps the drawing stable
        columns.setdefault(depth[state], []).append(state)
    boxes = {}
    for col, states in columns.items():
        for row, state in enumerate(states):
            boxes[state] = Box(state, PAD + col * (BOX_W + GAP_X), PAD + row * (BOX_H + GAP_Y))
    return boxes


def _wrap(text: str, width: int = 11) -> list[str]:
    if len(text) <= width:
        return [text]
    cut = text.rfind(" ", 0, width + 1)
    cut = cut if cut > 0 else width
    return [text[:cut].strip(), text[cut:].strip()[: width + 2]]


def render_svg(d: Definition, current: str | None, lang: str = "ko") -> str:
    boxes = layout(d)
    width = max(b.x for b in boxes.values()) + BOX_W + PAD
    height = max(b.y for b in boxes.values()) + BOX_H + PAD
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-hidden="true" focusable="false">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'class="diagram-arrowhead"/></marker></defs>',
    ]
    drawn = set()
    for t in d.transitions:
        for source in t.sources:
            dest = t.dest_from(source)
            if dest == source or (source, dest) in drawn:
                continue
            drawn.add((source, dest))
            a, b = boxes[source], boxes[dest]
            if b.x > a.x:
                x1, y1, x2, y2 = a.x + BOX_W, a.y + BOX_H // 2, b.x, b.y + BOX_H // 2
            elif b.x < a.x:  # a way back (a resubmission): below the boxes
                x1, y1, x2, y2 = a.x, a.y + BOX_H // 2 + 8, b.x + BOX_W, b.y + BOX_H // 2 + 8
            else:
                x1, y1 = a.x + BOX_W // 2, a.y + (BOX_H if b.y > a.y else 0)
                x2, y2 = b.x + BOX_W // 2, b.y + (0 if b.y > a.y else BOX_H)
            parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" class="diagram-edge" '
                         'marker-end="url(#arrow)"/>')
    for state, box in boxes.items():
        cls = "diagram-state"
        if state == current:
            cls += " diagram-current"
        elif state in d.final:
            cls += " diagram-final"
        parts.append(f'<g class="{cls}"><rect x="{box.x}" y="{box.y}" width="{BOX_W}" '
                     f'height="{BOX_H}" rx="6"/>')
        lines = _wrap(d.label(state, lang), 11 if lang == "ko" else 18)
        for i, line in enumerate(lines):
            dy = BOX_H // 2 + 5 + (i - (len(lines) - 1) / 2) * 15
            parts.append(f'<text x="{box.x + BOX_W // 2}" y="{box.y + dy:.0f}" '
                         f'text-anchor="middle">{escape(line)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
