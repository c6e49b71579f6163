"""Toy world: scene sampling, the renderer (determinism, anti-aliasing, masks) and exact edits."""

from __future__ import annotations

import numpy as np
import pytest

from nanoedit.errors import SceneError
from nanoedit.graphs import EditNode, EntityRef, Op, link
from nanoedit.toyworld import Character, Scene, SceneObject, apply_edit, apply_graph, change_mask, render
from nanoedit.toyworld.render import CHARACTER_PARTS, INK
from nanoedit.toyworld.vocab import COLORS


def scene_with(*objects, **fields) -> Scene:
    objs = tuple(SceneObject(id=f"obj{i}", **o) for i, o in enumerate(objects))
    return Scene(objects=objs, **fields)


def node(op, target=None, **params) -> EditNode:
    return EditNode(id="n", op=op, target=EntityRef(**target) if target else None, params=params)


def assert_mask_is_coverage(before: Scene, after: Scene, mask_name: str, color) -> None:
    """The mask holds exactly the pixels the new layer covers at least half of.

    The layer's coverage of each pixel is read back from the two renders: a pixel moved a fraction
    c of the way from its colour before to ``color`` is covered c. Pixels whose coverage is within
    rounding of 0.5, or where the layer hardly differs from what is under it, are not judged.
    """
    a, b = render(before).array.astype(float), render(after).array.astype(float)
    contrast = np.asarray(color, float) - a
    channel = np.abs(contrast).argmax(axis=2)[..., None]
    span = np.take_along_axis(contrast, channel, 2)[..., 0]
    moved = np.take_along_axis(b - a, channel, 2)[..., 0]
    judged = np.abs(span) >= 40
    coverage = np.where(judged, moved / np.where(judged, span, 1.0), 0.0)
    judged &= np.abs(coverage - 0.5) > 0.03
    mask = render(after).masks[mask_name]
    assert mask.any()
    assert (mask[judged] == (coverage[judged] >= 0.5)).all()
    assert (coverage[~mask] < 0.53).all()  # outside the mask: at most half covered (edge pixels)


# -- scenes -------------------------------------------------------------------------------------


def test_random_scenes_are_seeded_valid_and_varied():
    assert Scene.random(7) == Scene.random(7)
    scenes = [Scene.random(seed) for seed in range(60)]
    assert len({s.content_hash() for s in scenes}) == 60
    assert {len(s.objects) for s in scenes} == {0, 1, 2, 3, 4}
    for s in scenes:
        cells = [o.position for o in s.objects]
        assert len(set(cells)) == len(cells) and not {"center", "bottom"} & set(cells)
        assert all(o.color != s.background.color for o in s.objects)
    assert Scene.random(3, n_objects=7).free_cells() == []
    with pytest.raises(SceneError, match="n_objects"):
        Scene.random(3, n_objects=8)


def test_no_part_of_the_person_takes_the_background_colour():
    # such a part would be invisible in the pixels, so no editor could see what it edits
    scenes = [Scene.random(seed) for seed in range(600)]
    for s in scenes:
        c, background = s.character, s.background.color
        assert background not in (c.shirt, c.hair_color) and not (c.hat and c.hat_color in (background, c.hair_color))
    assert len({s.character.shirt for s in scenes}) >= 8 and len({s.character.hair_color for s in scenes}) == 6
    for s in scenes[:50]:  # and the render shows the shirt against the background
        r = render(s)
        assert (np.asarray(r.image)[r.masks["body"]] != np.asarray(r.image)[r.masks["background"]][0]).any(axis=1).mean() > 0.5


def test_entity_refs_name_the_person_and_every_object():
    s = scene_with({"shape": "star", "color": "red", "size": "small", "position": "top left"})
    refs = s.entity_refs()
    assert refs[0] == EntityRef(noun="person", entity_id="person")
    assert refs[1] == EntityRef(noun="star", color="red", size="small", position="top left", entity_id="obj0")


def test_scene_spec_rejects_overlap_and_unknown_sizes():
    with pytest.raises(ValueError, match="grid cell"):
        scene_with(
            {"shape": "star", "color": "red", "position": "top"},
            {"shape": "heart", "color": "red", "position": "top"},
        )
    with pytest.raises(ValueError, match="canvas size"):
        Scene(size=100)


# -- renderer -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [64, 128, 256])
def test_render_is_deterministic_and_masks_partition_the_canvas(size):
    s = Scene.random(11, size=size, n_objects=4)
    a, b = render(s), render(s)
    assert a.image.mode == "RGB" and a.image.size == (size, size)
    assert a.image.tobytes() == b.image.tobytes()
    owners = a.masks["background"].astype(int) + a.masks["character"] + sum(a.masks[o.id] for o in s.objects)
    assert (owners == 1).all()
    parts = sum(a.masks[p].astype(int) for p in CHARACTER_PARTS)
    assert (parts == a.masks["character"]).all()
    assert a.masks["face"].sum() > 0.005 * size * size and a.masks["hair"].any()


def test_edges_are_anti_aliased():
    s = scene_with({"shape": "circle", "color": "black", "size": "large", "position": "top left"})
    pixels = render(s).array[:32, :32].reshape(-1, 3)
    between = ~np.all(pixels == pixels[0], axis=1) & ~np.all(pixels == (25, 25, 25), axis=1)
    assert between.sum() > 10  # a ring of partially covered pixels, not a hard edge


@pytest.mark.parametrize("shape", ["circle", "square", "triangle", "star", "heart"])
@pytest.mark.parametrize("size", [64, 256])
def test_object_masks_cover_exactly_their_object(shape, size):
    obj = {"shape": shape, "color": "blue", "size": "large", "position": "right"}
    with_object = scene_with(obj, size=size, background={"color": "white"})
    assert_mask_is_coverage(
        with_object.model_copy(update={"objects": ()}), with_object, "obj0", COLORS["blue"]
    )


def test_object_sizes_and_circle_area():
    areas = {}
    for size in ("small", "medium", "large"):
        s = scene_with({"shape": "circle", "color": "red", "size": size, "position": "top"}, size=256)
        areas[size] = render(s).masks["obj0"].sum()
    assert areas["small"] < areas["medium"] < areas["large"]
    radius = 0.125 * 256
    assert abs(areas["large"] - np.pi * radius**2) / (np.pi * radius**2) < 0.05


@pytest.mark.parametrize(
    "part,change,color", [("hat", {"hat": True}, COLORS["green"]), ("glasses", {"glasses": True}, INK)]
)
def test_character_part_masks_cover_exactly_the_part(part, change, color):
    plain = Scene(character=Character(hat_color="green"), background={"color": "white"}, size=128)
    dressed = plain.model_copy(update={"character": plain.character.model_copy(update=change)})
    assert_mask_is_coverage(plain, dressed, part, color)


def test_global_looks_change_the_whole_image():
    s = Scene.random(2, n_objects=3)
    for field, value in [("lighting", "night"), ("lighting", "sunset"), ("tone", "warm"), ("tone", "cool"),
                         ("tone", "grayscale"), ("style", "posterize"), ("style", "pixelate"), ("style", "outline")]:  # fmt: skip
        changed = change_mask(s, s.model_copy(update={field: value}))
        assert changed.any(), (field, value)
    gray = render(s.model_copy(update={"tone": "grayscale"})).array.astype(int)
    assert (gray[..., 0] == gray[..., 1]).all() and (gray[..., 1] == gray[..., 2]).all()


# -- edits --------------------------------------------------------------------------------------

BASE = dict(
    objects=(
        SceneObject(id="obj0", shape="circle", color="red", size="small", position="top left"),
        SceneObject(id="obj1", shape="circle", color="blue", size="large", position="right"),
        SceneObject(id="obj2", shape="star", color="yellow", size="medium", position="top"),
    )
)


@pytest.mark.parametrize(
    "edit,check",
    [
        (node(Op.add, {"noun": "heart", "color": "pink"}, position="left"),
         lambda s: s.objects[-1].model_dump() == {"id": "obj3", "shape": "heart", "color": "pink", "size": "medium", "position": "left"}),
        (node(Op.remove, {"noun": "star"}), lambda s: [o.id for o in s.objects] == ["obj0", "obj1"]),
        (node(Op.replace, {"noun": "circle", "color": "red"}, replacement={"noun": "square"}),
         lambda s: (s.objects[0].shape, s.objects[0].color) == ("square", "red")),
        (node(Op.recolor, {"noun": "circle", "size": "large"}, color="green"), lambda s: s.objects[1].color == "green"),
        (node(Op.move, {"noun": "star"}, position="bottom left"), lambda s: s.objects[2].position == "bottom left"),
        (node(Op.move, {"noun": "star"}, direction="right"), lambda s: s.objects[2].position == "top right"),
        (node(Op.move, {"noun": "circle", "position": "top left"}, direction="down"), lambda s: s.objects[0].position == "left"),
        (node(Op.resize, {"noun": "star"}, scale=2.0), lambda s: s.objects[2].size == "large"),
        (node(Op.resize, {"noun": "star"}, scale=0.5), lambda s: s.objects[2].size == "small"),
        (node(Op.resize, {"noun": "circle", "color": "blue"}, size="small"), lambda s: s.objects[1].size == "small"),
        (node(Op.attribute, {"noun": "person"}, name="hair_color", value="green"), lambda s: s.character.hair_color == "green"),
        (node(Op.attribute, {"noun": "person"}, name="hat", value="on"), lambda s: s.character.hat),
        (node(Op.pose, {"noun": "person"}, pose="raise_both_arms"), lambda s: s.character.pose == "raise_both_arms"),
        (node(Op.background, color="purple", pattern="stripes"), lambda s: s.background.model_dump() == {"color": "purple", "pattern": "stripes"}),
        (node(Op.lighting, lighting="sunset"), lambda s: s.lighting == "sunset"),
        (node(Op.tone, tone="cool"), lambda s: s.tone == "cool"),
        (node(Op.style, style="outline"), lambda s: s.style == "outline"),
    ],
)  # fmt: skip
def test_each_op_gives_the_edited_spec(edit, check):
    before = Scene(**BASE)
    after = apply_edit(before, edit)
    assert check(after)
    assert change_mask(before, after).any()


@pytest.mark.parametrize(
    "edit,message",
    [
        (node(Op.remove, {"noun": "heart"}), "there is no heart"),
        (node(Op.recolor, {"noun": "circle"}, color="green"), "ambiguous"),
        (node(Op.move, {"noun": "star"}, position="right"), "taken"),
        (node(Op.move, {"noun": "star"}, direction="up"), "edge"),
        (node(Op.move, {"noun": "star"}, position="center"), "character stands"),
        (node(Op.resize, {"noun": "circle", "color": "blue"}, scale=2.0), "already large"),
        (node(Op.recolor, {"noun": "star"}, color="yellow"), "change nothing"),
        (node(Op.recolor, {"noun": "star"}, color="teal"), "unknown colour"),
        (node(Op.recolor, {"noun": "person"}, color="red"), "hair_color"),
        (node(Op.remove, {"noun": "person"}), "not on the character"),
        (node(Op.add, {"noun": "dog"}, position="left"), "cannot add 'dog'"),
        (node(Op.attribute, {"noun": "person"}, name="beard", value="on"), "no attribute 'beard'"),
        (node(Op.lighting, lighting="dusk"), "unknown lighting"),
        (node(Op.extract, {"noun": "star"}), "no meaning in the toy world"),
    ],
)
def test_impossible_edits_raise_scene_errors_that_say_what_to_do(edit, message):
    with pytest.raises(SceneError, match=message):
        apply_edit(Scene(**BASE), edit)


def test_apply_graph_follows_the_schedule():
    nodes = [
        EditNode(id="l", op=Op.identity_lock),
        EditNode(id="s", op=Op.style, params={"style": "posterize"}),
        EditNode(id="a", op=Op.recolor, target=EntityRef(noun="star"), params={"color": "red"}),
        EditNode(id="b", op=Op.move, target=EntityRef(noun="star", color="red"), params={"position": "left"}),
    ]
    after = apply_graph(Scene(**BASE), link(nodes))
    star = after.objects[2]
    assert (star.color, star.position, after.style) == ("red", "left", "posterize")
