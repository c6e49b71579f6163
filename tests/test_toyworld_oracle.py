"""The oracle judge: a perfect editor passes every op, a null editor and a wrong-object editor fail."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

from nanoedit.errors import EditorError
from nanoedit.graphs import Op
from nanoedit.toyworld import EDIT_OPS, Scene, Thresholds, apply_edit, judge, render, single_edit

SEEDS = range(6)


def cases(op: Op):
    """Single-op samples on scenes that have objects to edit (seeded, so the cases are fixed)."""
    for seed in SEEDS:
        scene = Scene.random(1000 + seed, n_objects=3)
        yield single_edit(scene, random.Random(seed), ops=[op])


@pytest.mark.parametrize("op", EDIT_OPS, ids=lambda op: op.value)
def test_perfect_editor_passes_and_null_editor_fails_every_op(op):
    for sample in cases(op):
        perfect = judge(sample.source, sample.target, render(sample.target).image)
        assert perfect.passed, (sample.instruction, perfect.summary())
        assert perfect.changes and all(c.op == op.value for c in perfect.changes)

        null = judge(sample.source, sample.target, render(sample.source).image)
        assert not null.passed, sample.instruction
        assert not any(c.passed for c in null.changes), (sample.instruction, null.summary())


@pytest.mark.parametrize("op", EDIT_OPS, ids=lambda op: op.value)
def test_an_editor_a_level_off_the_exact_target_passes_every_op(op):
    # a shrink's new object lies inside its old self, in the same colour: no colour change is asked
    for sample in cases(op):
        near = np.clip(np.asarray(render(sample.target).image, np.int16) + 2, 0, 255).astype(np.uint8)
        report = judge(sample.source, sample.target, Image.fromarray(near))
        assert report.passed, (sample.instruction, report.summary())


OBJECT_OPS = [Op.remove, Op.replace, Op.recolor, Op.move, Op.resize]


@pytest.mark.parametrize("op", OBJECT_OPS, ids=lambda op: op.value)
def test_editor_that_edits_the_wrong_object_fails(op):
    for sample in cases(op):
        node = sample.graph.nodes[-1]
        meant = sample.source.resolve(node.target)
        for other in sample.source.objects:
            if other.id == meant.id:
                continue
            try:  # the same edit, applied to another object
                wrong = apply_edit(sample.source, node.model_copy(update={"target": other.ref()}))
            except Exception:
                continue
            report = judge(sample.source, sample.target, render(wrong).image)
            assert not report.passed, sample.instruction
            assert not report.changes[0].passed
            changed_elsewhere = report.preservation.spurious_pixels
            assert changed_elsewhere > 0  # it changed what should have stayed, and the judge saw it
            if changed_elsewhere > Thresholds().max_spurious_share * sample.source.size**2:
                assert not report.preservation.passed


def test_identity_and_preservation_are_measured_on_their_regions():
    sample = single_edit(Scene.random(5, n_objects=3), random.Random(0), ops=[Op.recolor])
    expected = render(sample.target)
    pixels = expected.array.copy()

    smudged_face = pixels.copy()
    smudged_face[expected.masks["face"]] = (0, 255, 0)
    report = judge(sample.source, sample.target, Image.fromarray(smudged_face))
    assert all(c.passed for c in report.changes) and not report.identity.passed and not report.passed

    noisy = pixels.astype(int) + np.random.default_rng(0).integers(-40, 41, pixels.shape)
    report = judge(sample.source, sample.target, Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)))
    assert not report.preservation.passed and report.preservation.l1 > Thresholds().preservation_l1


def test_report_states_thresholds_and_serialises(tmp_path):
    sample = single_edit(Scene.random(2), random.Random(1))
    path = tmp_path / "out.png"
    render(sample.target).image.save(path)
    report = judge(sample.source, sample.target, path, thresholds=Thresholds(min_agreement=0.95))
    data = report.model_dump(mode="json")
    assert data["thresholds"]["min_agreement"] == 0.95 and data["passed"] is True
    assert report.summary().startswith("PASS")


def test_output_of_the_wrong_size_is_a_typed_error():
    scene = Scene.random(0)
    with pytest.raises(EditorError, match="resize it"):
        judge(scene, scene, Image.new("RGB", (32, 32)))
