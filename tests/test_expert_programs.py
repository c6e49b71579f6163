"""Expert programs from pixels: the scaled paste of a resize, the erase-and-draw of a replace, and the
verifier's check that a region holds what the edit asked for. Toy-world renders are ground truth."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter
from scipy import ndimage

from nanoedit.editor import EditorConfig, to_pixels, to_tensor, verify
from nanoedit.errors import EditorError
from nanoedit.experts.base import (
    ExpertInputs,
    _background_drawn,
    _flat_fill,
    _part_redrawn,
    _scale,
    drawn_in_place,
)
from nanoedit.experts.grounding import SIZE_EXTENT, Grounder, color_of, palette, size_of
from nanoedit.experts.looks import Looks
from nanoedit.experts.primitives import composite, flat_palette, matte, repaint, smooth_fill, snap
from nanoedit.experts.regions import dilate, person_box
from nanoedit.experts.registry import ExpertRegistry
from nanoedit.graphs import ELSEWHERE, EditNode, EntityRef, Op
from nanoedit.planner import plan
from nanoedit.toyworld import Scene, SceneObject, judge, render
from nanoedit.toyworld.render import CELL_CENTRE


def scene(*objects: SceneObject, background: str = "white") -> Scene:
    return Scene(objects=objects, background={"color": background})


def thing(shape="circle", color="red", size="medium", position="top left", id="obj0") -> SceneObject:
    return SceneObject(id=id, shape=shape, color=color, size=size, position=position)


@pytest.mark.parametrize(("shape", "before", "after", "place"), [
    ("circle", "medium", "large", "top left"), ("square", "small", "medium", "top left"),
    ("circle", "large", "medium", "top left"), ("triangle", "medium", "medium", "top"),
    ("heart", "small", "small", "bottom right")])  # fmt: skip
def test_a_paste_draws_the_object_at_its_new_size_and_place_with_a_clean_edge(shape, before, after, place):
    source = render(scene(thing(shape, size=before)))
    target = render(scene(thing(shape, size=after, position=place)))
    cell = lambda position: np.array(CELL_CENTRE[position]) * 64  # noqa: E731
    dx, dy = cell(place) - cell("top left")  # a third of 64 pixels: not a whole number
    scale = SIZE_EXTENT[after] / SIZE_EXTENT[before]
    emptied = render(scene()).image  # what the inpainter leaves where the object was
    out, pasted = composite(to_tensor(source.image), source.masks["obj0"], dx, dy, scale, onto=to_tensor(emptied))
    error = np.abs(to_pixels(out).astype(int) - np.asarray(target.image, int)).max(axis=2)
    judged = source.masks["obj0"] | target.masks["obj0"]
    assert (error[judged] <= 32).mean() >= 0.95  # the oracle's tolerance, on the pixels that change
    new = target.masks["obj0"]
    assert (pasted >= new).all() and (pasted <= dilate(new, 1)).all()  # the object, and its soft rim


def test_a_move_the_prompt_leaves_open_goes_to_the_nearest_free_cell():
    square = thing("square", "blue", "medium", "top", "obj1")
    source = render(scene(thing("circle", "red", "medium", "top left"), square))
    node = next(n for n in plan("move the red circle").nodes if n.op is Op.move)  # where to is left open
    assert node.params.position == ELSEWHERE and node.target == EntityRef(noun="circle", color="red")
    expert = ExpertRegistry.builtin()["object"]
    out = expert.run(node, ExpertInputs(source.image, to_tensor(source.image), None, Grounder()))
    assert out.program == ["localize", "smooth_fill", "repaint", "composite"]  # no model ran: backbone None
    target = render(scene(thing("circle", "red", "medium", "left"), square))  # "top" is taken by the square
    error = np.abs(to_pixels(out.image).astype(int) - np.asarray(target.image, int)).max(axis=2)
    assert (error <= 32).mean() >= 0.995
    crowded = render(scene(*(thing("square", "blue", "small", cell, f"obj{i}")
                             for i, cell in enumerate(["top left", "top", "top right", "left", "right", "bottom left",
                                                       "bottom right"]))))  # fmt: skip
    with pytest.raises(EditorError, match="no free place"):  # the center and bottom hold the person
        expert.run(node.model_copy(update={"target": EntityRef(noun="square", position="top left")}),
                   ExpertInputs(crowded.image, to_tensor(crowded.image), None, Grounder()))


@pytest.mark.parametrize(("before", "after", "said", "agreement"), [
    ({"color": "blue", "pattern": "stripes"}, {"color": "yellow", "pattern": "stripes"}, None, 0.85),  # pattern kept
    ({"color": "white"}, {"color": "yellow", "pattern": "checker"}, "checker", 0.8),
    ({"color": "green"}, {"color": "white", "pattern": "checker"}, "checker", 0.8),
    ({"color": "pink"}, {"color": "blue", "pattern": "gradient"}, "gradient", 0.97)])  # fmt: skip
def test_a_drawn_background_is_cleaned_to_its_pattern_and_put_behind_the_rims(before, after, said, agreement):
    objects = (thing("circle", "red", "large", "top left"), thing("star", "purple", "medium", "right", "obj1"))
    source, target = render(Scene(objects=objects, background=before)), render(Scene(objects=objects, background=after))
    # a small model's drawing: soft and noisy (alone it agrees on 57-87% of these changed pixels)
    soft = np.asarray(Image.fromarray(np.asarray(target.image)).filter(ImageFilter.GaussianBlur(1.5)), np.float32)
    drawn = np.clip(soft + np.random.default_rng(0).normal(0, 16, soft.shape), 0, 255).astype(np.uint8)
    node = EditNode(id="b", op=Op.background, params={"color": after["color"], "pattern": said})
    background = Grounder().background(source.image).array
    out, program = _background_drawn(node, to_tensor(source.image), to_tensor(Image.fromarray(drawn)), background, [])
    assert program == ["plane_fit" if said == "gradient" else "two_tone", "repaint"]
    error = np.abs(to_pixels(out).astype(int) - np.asarray(target.image, int)).max(axis=2)
    changed = np.abs(np.asarray(source.image, int) - np.asarray(target.image, int)).max(axis=2) > 8
    assert (error[changed] <= 32).mean() >= agreement  # the oracle's tolerance
    assert (error[target.masks["face"]] <= 32).mean() >= 0.99  # the face's rim keeps the face's share
    described = node.model_copy(update={"params": node.params.model_copy(update={"pattern": None,
                                                                                 "description": "a beach"})})
    assert _background_drawn(described, to_tensor(source.image), to_tensor(Image.fromarray(drawn)), background,
                             [])[1] == ["repaint"]  # a described background is the model's drawing, uncleaned


@pytest.mark.parametrize(("shape", "color", "background"), [
    ("star", "purple", {"color": "white", "pattern": "gradient"}), ("heart", "black", {"color": "yellow"}),
    ("triangle", "red", {"color": "blue", "pattern": "gradient"})])  # fmt: skip
def test_a_drawn_thing_of_a_named_colour_is_matted_over_its_smooth_surround(shape, color, background):
    before = render(Scene(objects=(), background=background))
    after = render(Scene(objects=(thing(shape, color, "medium", "top right"),), background=background))
    # a small model's drawing: soft and noisy, with a halo where it smeared the surround
    soft = np.asarray(Image.fromarray(np.asarray(after.image)).filter(ImageFilter.GaussianBlur(0.8)), np.float32)
    noisy = np.clip(soft + np.random.default_rng(1).normal(0, 8, soft.shape), 0, 255).astype(np.uint8)
    region = Grounder().place("top right", before.image).array
    behind = smooth_fill(to_tensor(before.image), region)
    assert behind is not None  # one colour or a gradient: smooth
    out = to_pixels(matte(to_tensor(Image.fromarray(noisy)), behind, region, palette()[color])).astype(int)
    error = lambda image: np.abs(image - np.asarray(after.image, int)).max(axis=2)  # noqa: E731
    thing_core, surround = ndimage.binary_erosion(after.masks["obj0"]), region & ~dilate(after.masks["obj0"], 1)
    exact = lambda pixels, share: all((error(pixels)[part] <= 4).mean() >= share  # noqa: E731
                                      for part in (thing_core, surround))
    assert exact(out, 0.97) and not exact(noisy.astype(int), 0.6)  # the drawing alone: noise and a halo


def test_a_resize_steps_through_the_size_words_from_the_size_it_looks():
    mask = render(scene(thing(size="medium"))).masks["obj0"]
    target = EntityRef(noun="circle")
    assert size_of(mask, "circle") == "medium"
    resize = lambda **p: EditNode(id="r", op=Op.resize, target=target, params=p)  # noqa: E731
    assert _scale(resize(size="large"), mask) == pytest.approx(SIZE_EXTENT["large"] / SIZE_EXTENT["medium"])
    assert _scale(resize(scale=2.0), mask) == pytest.approx(SIZE_EXTENT["large"] / SIZE_EXTENT["medium"])
    assert _scale(resize(scale=0.5), mask) == pytest.approx(SIZE_EXTENT["small"] / SIZE_EXTENT["medium"])
    large = render(scene(thing(size="large"))).masks["obj0"]
    assert _scale(resize(scale=2.0), large) == 2.0  # past the largest size word: the node's own scale
    with pytest.raises(Exception, match="already looks medium"):
        _scale(resize(size="medium"), mask)


def test_a_replace_draws_the_new_thing_where_the_old_stood_in_its_size_and_colour():
    rendering = render(scene(thing("circle", "green", "large", "bottom right")))
    pixels, mask = np.asarray(rendering.image), rendering.masks["obj0"]
    assert color_of(pixels[mask]) == "green"
    node = EditNode(id="n", op=Op.replace, target=EntityRef(noun="circle"), params={"replacement": {"noun": "star"}})
    add = drawn_in_place(node, pixels, mask)
    assert (add.op, add.params.position) == (Op.add, "bottom right")
    assert (add.target.noun, add.target.color, add.target.size) == ("star", "green", "large")
    said = EditNode(id="n", op=Op.replace, target=EntityRef(noun="circle"),
                    params={"replacement": {"noun": "star", "color": "blue"}})
    assert drawn_in_place(said, pixels, mask).target.color == "blue"  # a colour said wins


def test_the_verifier_checks_that_a_region_holds_what_the_edit_asked_for():
    grounder, config = Grounder(), EditorConfig()
    before = render(scene(thing("circle", "red", position="top left")))
    after = render(scene(thing("circle", "red", position="top left"), thing("star", "blue", "large", "bottom right", "obj1")))
    region = grounder.place("bottom right", before.image).array
    add = EditNode(id="a", op=Op.add, target=EntityRef(noun="star", color="blue"), params={"position": "bottom right"})
    looks = lambda node, b, a, r: verify(node, np.asarray(b.image), np.asarray(a.image), r, None, config,  # noqa: E731
                                          grounder=grounder)["looks_right"]  # fmt: skip
    assert looks(add, before, after, region)["passed"]
    assert not looks(add, before, before, region)["passed"]  # nothing was drawn
    wrong = add.model_copy(update={"target": EntityRef(noun="star", color="yellow")})
    assert not looks(wrong, before, after, region)["passed"]  # the wrong colour was drawn
    hole = dilate(before.masks["obj0"], 2)
    remove = EditNode(id="r", op=Op.remove, target=EntityRef(noun="circle", color="red"))
    emptied = render(scene())
    assert looks(remove, before, emptied, hole)["passed"]
    assert not looks(remove, before, before, hole)["passed"]  # the circle is still there


@pytest.mark.parametrize(("look", "value"), [("style", "posterize"), ("style", "pixelate"), ("tone", "grayscale"),
                                           ("tone", "warm"), ("tone", "cool"), ("lighting", "night"),
                                           ("lighting", "sunset")])  # fmt: skip
def test_a_look_preset_is_computed_exactly(look, value):
    plain = scene(thing("star", "green", "large", "bottom right"), background="yellow")
    before, after = render(plain), render(plain.model_copy(update={look: value}))
    out = Looks(**{look: value}).apply(np.asarray(before.image)).astype(int)
    assert np.abs(out - np.asarray(after.image, int)).max() <= 1


def test_looks_compose_in_one_pass_as_layers():
    plain = scene(thing("heart", "red", "large", "top left"), background="white")
    looks = Looks(lighting="sunset", tone="cool", style="posterize")
    after = render(plain.model_copy(update={"lighting": "sunset", "tone": "cool", "style": "posterize"}))
    out = looks.apply(np.asarray(render(plain).image)).astype(int)
    assert np.abs(out - np.asarray(after.image, int)).max() <= 1  # one clip at the end, not one per layer


def test_an_outline_is_drawn_where_the_owner_of_a_pixel_changes():
    plain = scene(thing("circle", "red", "large", "top left"), thing("square", "blue", "medium", "bottom right", "obj1"),
                  background="white")  # fmt: skip
    plain = plain.model_copy(update={"character": plain.character.model_copy(update={"hair_color": "black"})})
    before, after = render(plain), render(plain.model_copy(update={"style": "outline"}))
    regions = Grounder().regions(before.image)
    assert len(np.unique(regions[before.masks["face"]])) == 1  # the eyes and mouth belong to the face
    out = Looks(style="outline").apply(np.asarray(before.image), regions).astype(int)
    error = np.abs(out - np.asarray(after.image, int)).max(axis=2)
    changed = np.abs(np.asarray(before.image, int) - np.asarray(after.image, int)).max(axis=2) > 8
    assert changed.sum() > 100 and (error[changed] <= 32).mean() >= 0.9  # the oracle's tolerance
    assert (error[~changed] <= 32).mean() >= 0.99  # and almost nothing else is inked


def test_a_look_is_a_layer_a_later_look_replaces():
    night = EditNode(id="n", op=Op.lighting, params={"lighting": "night"})
    day = EditNode(id="d", op=Op.lighting, params={"lighting": "day"})
    warm = EditNode(id="w", op=Op.tone, params={"tone": "warm"})
    lit = Looks().after(night)
    assert lit == Looks(lighting="night") and lit.after(warm) == Looks(lighting="night", tone="warm")
    assert lit.after(day) == Looks()  # day takes the preset light away
    assert Looks().after(day) is None  # a night photo with no layer to take away is the model's to relight
    assert Looks().after(EditNode(id="s", op=Op.style, params={"description": "like a watercolour"})) is None
    with pytest.raises(EditorError):
        Looks(lighting="noon")


def test_a_pixelated_edit_spreads_to_whole_blocks():
    region = np.zeros((64, 64), bool)
    region[10, 10] = True  # in the block of rows and columns 8..11
    spread = Looks(style="pixelate").spread(region)
    assert spread.sum() == 16 and spread[8:12, 8:12].all()
    assert (Looks(tone="warm").spread(region) == region).all()


def test_only_a_flat_colour_is_a_computed_program():
    node = lambda op, **p: EditNode(id="n", op=op, target=EntityRef(noun="circle"), params=p)  # noqa: E731
    style, thing_expert = ExpertRegistry.builtin()["style"], ExpertRegistry.builtin()["object"]
    assert style.program(node(Op.style, description="like a watercolour")) == ["global_transform"]
    assert thing_expert.program(node(Op.recolor, color="blue")) == ["localize", "repaint"]
    assert thing_expert.program(node(Op.recolor, color="teal")) == ["localize", "regenerate"]


@pytest.mark.parametrize(("shape", "old", "new", "background"), [
    ("circle", "red", "blue", "white"), ("star", "yellow", "purple", "green"), ("heart", "black", "white", "orange")])  # fmt: skip
def test_a_repaint_gives_the_thing_its_new_colour_and_keeps_its_outline(shape, old, new, background):
    before = render(scene(thing(shape, old, "large", "top left"), background=background))
    after = render(scene(thing(shape, new, "large", "top left"), background=background))
    out, changed = repaint(to_tensor(before.image), before.masks["obj0"], palette()[new])
    error = np.abs(to_pixels(out).astype(int) - np.asarray(after.image, int)).max(axis=2)
    edited = np.abs(np.asarray(before.image, int) - np.asarray(after.image, int)).max(axis=2) > 8
    assert (error[edited] <= 32).mean() >= 0.98  # the oracle's tolerance, on the rim too
    assert (error[~edited] <= 8).all()
    assert (changed <= dilate(before.masks["obj0"], 1)).all()


def test_a_new_flat_background_colour_reaches_the_gaps_between_the_arms_and_the_head():
    def posed(color: str) -> Scene:
        plain = scene(thing("star", "yellow", "medium", "top left"), background=color)
        return plain.model_copy(update={"character": plain.character.model_copy(update={"pose": "raise_both_arms"})})

    before, after = render(posed("pink")), render(posed("green"))
    background = Grounder().background(before.image).array
    assert (background >= before.masks["background"] & ~dilate(~before.masks["background"], 1)).all()
    out, _ = repaint(to_tensor(before.image), background, palette()["green"])
    error = np.abs(to_pixels(out).astype(int) - np.asarray(after.image, int)).max(axis=2)
    assert (error[after.masks["background"]] <= 32).mean() >= 0.98
    assert judge(posed("pink"), posed("green"), Image.fromarray(to_pixels(out))).passed
    node = lambda **p: EditNode(id="b", op=Op.background, params=p)  # noqa: E731
    pixels = np.asarray(before.image)
    assert _flat_fill(node(color="green"), pixels, background)
    assert not _flat_fill(node(color="green", pattern="stripes"), pixels, background)  # the model draws patterns
    striped = render(Scene(background={"color": "pink", "pattern": "stripes"}))
    assert not _flat_fill(node(color="green"), np.asarray(striped.image), Grounder().background(striped.image).array)


def test_a_part_the_model_recoloured_is_snapped_to_its_exact_outline():
    plain = scene(thing("circle", "red", "medium", "top left"))
    dyed = plain.model_copy(update={"character": plain.character.model_copy(update={"hair_color": "green"})})
    before, after = render(plain), render(dyed)
    # what a small model draws: the right colour in the right place, with blurred edges
    blurred = Image.fromarray(np.asarray(after.image)).filter(ImageFilter.GaussianBlur(1.5))
    box = person_box(before.masks["character"])
    part = _part_redrawn(Grounder().regions(before.image), to_tensor(before.image), to_tensor(blurred), box,
                         palette()["green"])  # fmt: skip
    hair = before.masks["hair"]
    face = before.masks["face"]
    assert (part & hair).sum() >= 0.9 * hair.sum() and (part & face).sum() <= 0.05 * face.sum()  # a shared rim
    out, _ = repaint(to_tensor(before.image), part, palette()["green"])
    assert judge(plain, dyed, Image.fromarray(to_pixels(out))).passed


@pytest.mark.parametrize("pattern", ["solid", "gradient"])
def test_a_thing_on_a_smooth_surround_is_erased_by_continuing_the_surround(pattern):
    kept = thing("square", "blue", "small", "bottom right", "obj1")
    source = Scene(objects=(thing("star", "red", "large", "top left"), kept), background={"color": "orange", "pattern": pattern})
    target = source.model_copy(update={"objects": (kept,)})
    before = render(source)
    behind = smooth_fill(to_tensor(before.image), before.masks["obj0"])
    assert behind is not None
    out, _ = repaint(to_tensor(before.image), before.masks["obj0"], behind)
    assert judge(source, target, Image.fromarray(to_pixels(out))).passed
    striped = render(Scene(objects=source.objects, background={"color": "orange", "pattern": "stripes"}))
    assert smooth_fill(to_tensor(striped.image), striped.masks["obj0"]) is None  # a pattern is the model's to fill


def test_a_blurred_drawing_in_flat_colour_art_is_snapped_to_the_arts_colours():
    source = scene(thing("circle", "red", "medium", "top left"), background="yellow")
    added = scene(thing("circle", "red", "medium", "top left"), thing("star", "blue", "large", "bottom right", "obj1"),
                  background="yellow")  # fmt: skip
    before, after = render(source), render(added)
    region = Grounder().place("bottom right", before.image).array
    # what a small model draws: the right thing in the right place, with blurred edges
    blurred = Image.fromarray(np.asarray(after.image)).filter(ImageFilter.GaussianBlur(1.0))
    drawn = to_tensor(Image.fromarray(np.where(region[..., None], np.asarray(blurred), np.asarray(before.image))))
    colours = flat_palette(to_tensor(before.image), region)
    assert colours is not None
    snapped = snap(drawn, region, np.vstack([colours, [palette()["blue"]]]))
    judged = lambda image: judge(source, added, Image.fromarray(to_pixels(image))).changes[0].agreement  # noqa: E731
    assert judged(snapped) >= judged(drawn) + 0.05  # the blur's mixed colours are the art's again
    noisy = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    assert flat_palette(to_tensor(Image.fromarray(noisy)), region) is None  # a photo is not snapped
