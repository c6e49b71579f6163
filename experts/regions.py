"""Where each op may change pixels: the region an expert regenerates, from grounded masks.

One function serves training (fed the toy world's ground-truth masks) and inference (fed the
grounder's masks from pixels), so the model learns to edit inside exactly the regions it will be
given. Regions are generous on purpose: everything outside them is restored bit-exactly from the
source by the final pixel composite, so a region that is too small would cut the edit off.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from nanoedit.errors import EditorError
from nanoedit.graphs import EditNode, Op

# Half side of the square an object may occupy around its centre, as a share of the canvas: the
# largest toy object reaches 0.1375 from its centre, and a 3x3 grid cell is 0.333 wide.
OBJECT_BOX = 0.15
# How far beyond the person's outline a person edit may reach (a hat above, a raised arm beside).
PERSON_MARGIN_UP, PERSON_MARGIN_SIDE = 0.1, 0.05
GLOBAL_OPS = {Op.lighting, Op.tone, Op.style}


def dilate(mask: np.ndarray, pixels: int) -> np.ndarray:
    if pixels <= 0:
        return mask.copy()
    return ndimage.binary_dilation(mask, structure=np.ones((3, 3), bool), iterations=pixels)


def centred_box(size: int, cx: float, cy: float, half: float) -> np.ndarray:
    """A square of half side ``half`` (canvas share) centred at pixel (cx, cy)."""
    box = np.zeros((size, size), bool)
    h = half * size
    x0, x1 = max(int(np.floor(cx - h)), 0), min(int(np.ceil(cx + h)), size)
    y0, y1 = max(int(np.floor(cy - h)), 0), min(int(np.ceil(cy + h)), size)
    box[y0:y1, x0:x1] = True
    return box


def centroid(mask: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero(mask)
    return float(xs.mean()) + 0.5, float(ys.mean()) + 0.5


def box_centre(mask: np.ndarray) -> tuple[float, float]:
    """(x, y) of the centre of a mask's bounding box, in pixels: where a drawn shape is centred (a
    triangle's mass, its ``centroid``, sits low in its box)."""
    x0, y0, x1, y1 = _bbox(mask)
    return (x0 + x1) / 2, (y0 + y1) / 2


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def person_box(person: np.ndarray) -> np.ndarray:
    """The person's bounding box grown upwards and sideways (hats, raised arms)."""
    size = person.shape[0]
    x0, y0, x1, y1 = _bbox(person)
    up, side = int(np.ceil(PERSON_MARGIN_UP * size)), int(np.ceil(PERSON_MARGIN_SIDE * size))
    box = np.zeros_like(person)
    box[max(y0 - up, 0) : y1, max(x0 - side, 0) : min(x1 + side, size)] = True
    return box


def edit_region(
    node: EditNode,
    size: int,
    *,
    target: np.ndarray | None = None,
    person: np.ndarray | None = None,
    background: np.ndarray | None = None,
) -> np.ndarray:
    """The bool (size, size) region ``node`` may change.

    ``target``: the grounded target (for ``add``: the placement box); ``person`` and ``background``:
    the grounded character and background, needed by person and background edits.
    """
    op = node.op
    if op in GLOBAL_OPS:
        return np.ones((size, size), bool)
    if op is Op.background:
        # The background shows through every anti-aliased rim and thin part (and the canvas edge cuts
        # the shirt): everything but the foreground's core, the image border counted as background.
        core = ndimage.binary_erosion(~_need(background, "background", op), iterations=2, border_value=0)
        return ~core
    if op in (Op.attribute, Op.pose):
        return person_box(_need(person, "person", op))
    mask = _need(target, "target", op)
    if op is Op.add:
        return mask.copy()
    if op in (Op.remove, Op.move):
        return dilate(mask, 2)
    if op in (Op.replace, Op.resize):
        return dilate(mask, 1) | centred_box(size, *centroid(mask), OBJECT_BOX)
    return dilate(mask, 1)  # recolor, text, extract and anything that keeps the target's outline


def _need(mask: np.ndarray | None, what: str, op: Op) -> np.ndarray:
    if mask is None or not mask.any():
        raise EditorError(f"a {op.value} edit needs the {what} region, but it is empty; give a mask")
    return mask
