"""A contact sheet to look at: each edit (or session) as a strip of scenes, instructions underneath."""

from __future__ import annotations

import textwrap

from PIL import Image, ImageDraw, ImageFont

from .instructions import EditSample, MultiTurnSample
from .render import render

GAP = 8
LINE = 13
MAX_CAPTION_LINES = 12


def contact_sheet(items: list[EditSample | MultiTurnSample], columns: int = 4) -> Image.Image:
    """Tiles of ``source -> target`` (a session: ``scene 0 -1-> scene 1 -2-> ...``), at the scenes'
    own size, with the instruction (a session: the numbered turns) as caption."""
    strips = []
    for item in items:
        turns = item.turns if isinstance(item, MultiTurnSample) else [item]
        scenes = [turns[0].source, *(t.target for t in turns)]
        numbered = len(turns) > 1
        strips.append(
            (
                scenes,
                [f"{i + 1}. {t.instruction}" if numbered else t.instruction for i, t in enumerate(turns)],
            )
        )
    size = strips[0][0][0].size
    font = ImageFont.load_default(size=11)
    tile_w = max(len(scenes) for scenes, _ in strips) * (size + GAP) + GAP
    captions = [
        [line for text in texts for line in textwrap.wrap(text, max(tile_w // 6, 10))][:MAX_CAPTION_LINES]
        for _, texts in strips
    ]
    tile_h = size + max(len(c) for c in captions) * LINE + 2 * GAP
    columns = min(columns, len(items))
    rows = -(-len(items) // columns)
    sheet = Image.new("RGB", (columns * tile_w, rows * tile_h), (250, 250, 250))
    draw = ImageDraw.Draw(sheet)
    for index, (scenes, _) in enumerate(strips):
        x, y = (index % columns) * tile_w + GAP, (index // columns) * tile_h + GAP
        for k, scene in enumerate(scenes):
            left = x + k * (size + GAP)
            sheet.paste(render(scene).image, (left, y))
            if k:  # an arrow in the gap before each edited scene
                mid = y + size // 2
                draw.polygon(
                    [(left - GAP + 1, mid - 4), (left - 1, mid), (left - GAP + 1, mid + 4)], fill=(60, 60, 60)
                )
        for line_index, line in enumerate(captions[index]):
            draw.text((x, y + size + 4 + line_index * LINE), line, fill=(20, 20, 20), font=font)
    return sheet
