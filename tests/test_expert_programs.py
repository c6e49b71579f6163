"""Expert programs from pixels: the scaled paste of a resize, the erase-and-draw of a replace, and the
verifier's check that a region holds what the edit asked for. Toy-world renders are ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from nanoedit.editor import EditorConfig, to_pixels, to_tensor, verify
from nanoedit.experts.base import _scale, drawn_in_place
from nanoedit.experts.grounding import SIZE_EXTENT, Grounder, color_of, size_of
from nanoedit.experts.primitives import composite, stylize
from nanoedit.experts.regions import dilate
from nanoedit.experts.registry import ExpertRegistry
from nanoedit.graphs import EditNode, EntityRef, Op
from nanoedit.toyworld import Scene, SceneObject, render
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


@pytest.mark.parametrize("style", ["posterize", "pixelate"])
def test_a_named_filter_style_is_computed_exactly(style):
    plain = scene(thing("star", "green", "large", "bottom right"), background="yellow")
    before, after = render(plain), render(plain.model_copy(update={"style": style}))
    out = to_pixels(stylize(to_tensor(before.image), style)).astype(int)
    assert np.abs(out - np.asarray(after.image, int)).max() <= 1


def test_an_outline_is_drawn_where_the_owner_of_a_pixel_changes():
    plain = scene(thing("circle", "red", "large", "top left"), thing("square", "blue", "medium", "bottom right", "obj1"),
                  background="white")  # fmt: skip
    plain = plain.model_copy(update={"character": plain.character.model_copy(update={"hair_color": "black"})})
    before, after = render(plain), render(plain.model_copy(update={"style": "outline"}))
    regions = Grounder().regions(before.image)
    assert len(np.unique(regions[before.masks["face"]])) == 1  # the eyes and mouth belong to the face
    out = to_pixels(stylize(to_tensor(before.image), "outline", regions)).astype(int)
    error = np.abs(out - np.asarray(after.image, int)).max(axis=2)
    changed = np.abs(np.asarray(before.image, int) - np.asarray(after.image, int)).max(axis=2) > 8
    assert changed.sum() > 100 and (error[changed] <= 32).mean() >= 0.9  # the oracle's tolerance
    assert (error[~changed] <= 32).mean() >= 0.99  # and almost nothing else is inked


def test_only_a_named_filter_style_is_a_computed_program():
    style = lambda **p: EditNode(id="s", op=Op.style, params=p)  # noqa: E731
    expert = ExpertRegistry.builtin()["style"]
    assert expert.program(style(style="pixelate")) == ["stylize"]
    assert expert.program(style(description="like a watercolour")) == ["global_transform"]
