"""The Editor end to end on tiny random bundles (made by the real recipe) and a tiny random SANA folder."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from nanoedit.editor import Editor, active_adapters
from nanoedit.errors import EditorError, GroundingError, ModelLoadError
from nanoedit.toyworld import Scene, SceneObject, render

pytestmark = pytest.mark.usefixtures("single_thread")


def scene_image(**kwargs) -> Image.Image:
    objects = (
        SceneObject(id="obj0", shape="circle", color="red", size="large", position="top left"),
        SceneObject(id="obj1", shape="square", color="green", size="medium", position="bottom right"),
    )
    return render(Scene(objects=objects, background={"color": "white"}, **kwargs)).image


@pytest.fixture(scope="module")
def editor(tiny_bundle):
    return Editor.from_pretrained(tiny_bundle)


def changed(a: Image.Image, b: Image.Image) -> np.ndarray:
    return np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16)).max(axis=2) > 0


def test_outside_the_edited_region_every_pixel_is_the_source(editor):
    source = scene_image()
    for prompt in ("make the red circle blue", "remove the green square", "move the red circle to the top right"):
        result = editor.edit(source, prompt, progress=False)
        moved = changed(source, result.image)
        assert moved.any(), prompt  # the random model does change its region
        assert not (moved & ~result.region).any(), prompt
        assert result.region.sum() < 0.5 * result.region.size, prompt


def test_a_global_look_may_change_everything_and_the_trace_says_so(editor):
    result = editor.edit(scene_image(), "make it night", progress=False)
    assert result.trace["changed_region_pixels"] == 64 * 64
    assert [n["op"] for n in result.trace["nodes"]] == ["identity_lock", "lighting"]


def test_identity_region_untouched_by_an_object_edit(editor):
    source = scene_image()
    face = render(Scene(objects=())).masks["face"]
    result = editor.edit(source, "make the red circle blue", progress=False)
    assert (np.asarray(result.image)[face] == np.asarray(source)[face]).all()
    lock = next(n for n in result.trace["nodes"] if n["op"] == "identity_lock")
    assert lock["mask"]["area"] > 50  # the face was found from pixels


def test_trace_names_the_adapter_peft_reports(editor):
    result = editor.edit(scene_image(), "add a blue star at the top right, make the red circle blue and make it foggy",
                         progress=False)  # fmt: skip
    by_op = {n["op"]: n for n in result.trace["nodes"]}
    assert by_op["add"]["adapter"] == "object" and by_op["add"]["route"][0][0] == "object"
    assert by_op["lighting"]["adapter"] == "style"  # a look with no preset: the model draws it
    assert by_op["identity_lock"]["adapter"] is None  # a lock runs no generative primitive
    assert by_op["recolor"]["adapter"] is None and by_op["recolor"]["program"] == ["localize", "repaint"]
    json.dumps(result.trace, allow_nan=False)

    def plain(value) -> bool:  # only Python's own types: nothing numpy or torch slips into the trace
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return all(plain(v) for v in value)
        return value is None or type(value) in (str, int, float, bool)

    assert plain(result.trace)
    model = editor.backbone.transformer
    model.set_adapter("identity")
    assert active_adapters(model) == "identity"
    model.base_model.disable_adapter_layers()
    assert active_adapters(model) is None
    model.base_model.enable_adapter_layers()


def test_same_seed_same_bytes_other_seed_other_bytes(editor):
    source = scene_image()
    a = editor.edit(source, "add a blue star at the top right", seed=3, progress=False).image
    b = editor.edit(source, "add a blue star at the top right", seed=3, progress=False).image
    c = editor.edit(source, "add a blue star at the top right", seed=4, progress=False).image
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != c.tobytes()


def test_save_pretrained_round_trip_edits_the_same(editor, tmp_path):
    editor.save_pretrained(tmp_path / "copy")
    again = Editor.from_pretrained(tmp_path / "copy")
    assert again.fingerprint == editor.fingerprint
    source = scene_image()
    assert (again.edit(source, "remove the green square", progress=False).image.tobytes()
            == editor.edit(source, "remove the green square", progress=False).image.tobytes())  # fmt: skip


def make_peel(editor, folder, keywords=("circle",), target_modules=("to_q", "to_v", "conv_inverted")):
    from peft import LoraConfig, get_peft_model

    from nanoedit.editor import load_components

    base, _ = load_components(editor.folder)
    peel = get_peft_model(base, LoraConfig(r=2, lora_alpha=2, target_modules=list(target_modules)), adapter_name="glow")
    with torch.no_grad():
        for name, p in peel.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    peel.save_pretrained(folder)
    path = folder / "glow"
    (path / "expert.json").write_text(json.dumps({"name": "glow", "role": "object", "ops": ["recolor"],
                                                  "keywords": list(keywords)}))  # fmt: skip
    return path


def test_a_user_peel_loads_and_is_routed_to(tiny_bundle, tmp_path):
    editor = Editor.from_pretrained(tiny_bundle)
    before = editor.edit(scene_image(), "make the red circle blue", progress=False)
    expert = editor.add_expert(make_peel(editor, tmp_path))
    assert expert.name in [e.name for e in editor.registry]
    result = editor.edit(scene_image(), "make the red circle blue", progress=False)
    recolor = next(n for n in result.trace["nodes"] if n["op"] == "recolor")
    assert recolor["route"][0][0] == "glow" and recolor["adapter"] == "glow"
    assert result.image.tobytes() != before.image.tobytes()
    other = editor.edit(scene_image(), "add a blue star at the top right", progress=False)
    assert next(n for n in other.trace["nodes"] if n["op"] == "add")["adapter"] == "object"


def test_adapters_that_do_not_fit_are_refused_by_name(tiny_bundle, tmp_path):
    editor = Editor.from_pretrained(tiny_bundle)
    good = make_peel(editor, tmp_path / "a")
    config = json.loads((good / "adapter_config.json").read_text())
    config["target_modules"] = ["to_q", "no_such_layer"]
    (good / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="no_such_layer"):
        editor.add_expert(good)
    wide = make_peel(Editor.from_pretrained(tiny_bundle), tmp_path / "b")
    from safetensors.torch import load_file, save_file

    weights = {k: torch.zeros(v.shape[0], v.shape[1] + 3) if "lora_A" in k and v.dim() == 2 else v
               for k, v in load_file(wide / "adapter_model.safetensors").items()}  # fmt: skip
    save_file(weights, wide / "adapter_model.safetensors")
    with pytest.raises(ModelLoadError, match="does not fit"):
        editor.add_expert(wide)
    (wide / "adapter_model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelLoadError, match="cannot read"):
        editor.add_expert(wide)
    (wide / "expert.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="not a valid expert file"):
        editor.add_expert(wide)


def test_soft_routing_uses_peft_weighted_adapters(tiny_bundle):
    from nanoedit.planner import Router

    editor = Editor.from_pretrained(tiny_bundle)
    editor.router = Router(editor.registry.claims(), top_k=2)
    # Two experts claim a recolor equally (the object role and a claim on the op): both run, mixed.
    from nanoedit.experts.base import Expert
    from nanoedit.graphs import Op, Role

    editor.registry.register(Expert("style-add", Role.style, ops=frozenset({Op.add}), adapter="style"))
    editor.router = Router(editor.registry.claims(), top_k=2)
    result = editor.edit(scene_image(), "add a blue star at the top right", progress=False)
    add = next(n for n in result.trace["nodes"] if n["op"] == "add")
    assert len(add["route"]) == 2
    assert add["adapter"].startswith("mix-")


def test_bad_images_are_converted_or_refused(editor, tmp_path):
    rgb = scene_image()
    for mode in ("RGBA", "L", "P", "CMYK", "I;16"):
        if mode == "I;16":
            image = Image.fromarray(np.asarray(rgb.convert("L"), np.uint16) * 257)
        elif mode == "P":  # an adaptive palette: a flat scene has few colours, so nothing is dithered
            image = rgb.convert("P", palette=Image.Palette.ADAPTIVE)
        else:
            image = rgb.convert(mode)
        result = editor.edit(image, "remove the circle", progress=False)  # no colour word: grey modes too
        assert result.image.mode == "RGB" and result.image.size == rgb.size
        assert result.trace["input_note"], mode
    with pytest.raises(EditorError, match="downscale it first"):
        editor.edit(Image.new("RGB", (20000, 16)), "make the red circle blue", progress=False)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(EditorError, match="cannot read"):
        editor.edit(bad, "make the red circle blue", progress=False)


def test_masks_of_the_wrong_size_or_empty_are_refused_and_a_good_one_grounds(editor):
    source = scene_image()
    with pytest.raises(GroundingError, match="size"):
        editor.edit(source, "make it blue", mask=Image.new("L", (32, 32), 255), progress=False)
    with pytest.raises(EditorError, match="empty"):
        editor.edit(source, "make the circle blue", mask=Image.new("L", (64, 64), 0), progress=False)
    mask = np.zeros((64, 64), bool)
    mask[40:60, 40:60] = True
    result = editor.edit(source, "make the circle blue", mask=Image.fromarray(mask), progress=False)
    recolor = next(n for n in result.trace["nodes"] if n["op"] == "recolor")
    assert recolor["mask"]["provenance"] == "user"
    assert not (changed(source, result.image) & ~np.asarray(Image.fromarray(mask))).any() or result.region[mask].all()


def test_a_prompt_that_plans_to_nothing_is_an_error(editor):
    with pytest.raises(EditorError, match="plans to no edit"):
        editor.edit(scene_image(), "hello there", progress=False)


def test_missing_and_broken_model_folders(tmp_path, tiny_bundle, tiny_sana):
    import shutil

    with pytest.raises(ModelLoadError, match="not a folder"):
        Editor.from_pretrained(tmp_path / "nothing")
    partial = tmp_path / "sana"
    shutil.copytree(tiny_sana, partial)
    shutil.rmtree(partial / "vae")
    with pytest.raises(ModelLoadError, match="without vae"):
        Editor.from_pretrained(partial)
    bundle = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, bundle)
    index = json.loads((bundle / "model_index.json").read_text())
    index["transformer"] = "../../etc"
    (bundle / "model_index.json").write_text(json.dumps(index))
    with pytest.raises(ModelLoadError, match="outside the bundle"):
        Editor.from_pretrained(bundle)


def test_a_plain_sana_pipeline_edits_zero_shot(tiny_sana):
    editor = Editor.from_pretrained(tiny_sana)
    assert editor.backbone.autoencoder is not None and not editor.backbone.conditioned
    size = editor.config.resolution
    source = render(Scene(size=64, objects=(SceneObject(id="obj0", shape="square", color="red", position="top left"),))).image
    source = source.resize((size, size), Image.NEAREST)
    result = editor.edit(source, "make the red square blue", steps=2, progress=False)
    moved = changed(source, result.image)
    assert moved.any() and not (moved & ~result.region).any()
    assert result.trace["nodes"][-1]["adapter"] is None


def test_cli_edit(tmp_path, tiny_bundle, capsys):
    from nanoedit.cli import main

    scene_image().save(tmp_path / "in.png")
    out, trace = tmp_path / "out.png", tmp_path / "trace.json"
    code = main(["-q", "edit", str(tmp_path / "in.png"), "make the red circle blue", "-o", str(out),
                 "--model", str(tiny_bundle), "--save-trace", str(trace), "--steps", "2"])  # fmt: skip
    assert code == 0 and Image.open(out).size == (64, 64)
    assert json.loads(trace.read_text())["steps"] == 2
    assert main(["edit", str(tmp_path / "in.png"), "hello", "-o", str(out), "--model", str(tiny_bundle)]) == 2
    assert main(["edit", str(tmp_path / "in.png"), "make it blue", "-o", str(tmp_path), "--model", str(tiny_bundle)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("nanoedit: error:") for line in err)


def test_probe_suite_runs_on_our_editor_from_a_folder(tmp_path, tiny_bundle):
    from nanoedit.cli import main

    out = tmp_path / "report"
    assert main(["-q", "probe", "--editor", str(tiny_bundle), "--suite", "routing", "-n", "1", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["editor"].startswith("nanoedit:") and results["cases_total"] >= 1
    assert results["cases_failed"] < results["cases_total"]  # our editor answers the probe's calls


def test_the_embedded_model_ships_small_and_edits_offline():
    from nanoedit.editor import DEFAULT_MODEL

    files = [p for p in DEFAULT_MODEL.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) <= 25 * 2**20
    assert all(p.suffix in (".json", ".safetensors", ".jsonl", ".md") for p in files)  # no pickles
    editor = Editor.default()
    assert sorted(e.adapter for e in editor.registry if e.adapter) == ["identity", "object", "style"]
    source = scene_image()
    result = editor.edit(source, "add a blue star at the top right", progress=False)
    assert not (changed(source, result.image) & ~result.region).any()
    add = next(n for n in result.trace["nodes"] if n["op"] == "add")
    assert add["adapter"] == "object"
