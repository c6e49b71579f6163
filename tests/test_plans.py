"""YAML edit plans: every problem reported with file:line:col, unknown keys, path escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from nanoedit.errors import PlanError
from nanoedit.plans import load_plan, parse_plan

EXAMPLES = Path(__file__).parents[1] / "examples" / "plans"


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems(path: Path, **kwargs) -> list[str]:
    with pytest.raises(PlanError) as err:
        load_plan(path, **kwargs)
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_examples_load(example):
    plan = load_plan(example)
    assert plan.turns


def test_a_full_plan_parses_with_expectations_and_retry(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "cat.png")
    plan = load_plan(write(tmp_path, """
input: {image: cat.png}
options: {seed: 3, steps: 8}
turns:
  - instruction: make the cat black
    expect: {identity: ">= 0.9", psnr: "> 25"}
    retry: {max: 3, until: checks_pass}
  - graph:
      nodes: [{id: t, op: tone, params: {tone: warm}}]
"""))
    assert plan.options.seed == 3 and plan.turns[0].retry.max == 3
    expectation = plan.turns[0].expectations()[0]
    assert (expectation.metric, expectation.comparison, expectation.value) == ("identity", ">=", 0.9)
    assert expectation.holds(0.95) and not expectation.holds(0.5)
    assert plan.graphs()[0] is None and plan.graphs()[1].nodes[0].op.value == "tone"
    assert plan.resolve(plan.input.image) == (tmp_path / "cat.png").resolve()


def test_unknown_key_is_an_error_with_its_line(tmp_path):
    found = problems(write(tmp_path, "input: {scene: {seed: 1}}\nturns:\n  - instruction: x\n    retyr: {max: 2}\n"))
    assert found == [f"{tmp_path / 'plan.yaml'}:4:5: unknown key 'retyr' (a typo?)"]


def test_tab_indentation_is_a_syntax_error_with_position(tmp_path):
    found = problems(write(tmp_path, "input:\n\tscene: {seed: 1}\n"))
    assert len(found) == 1 and ":2:1: YAML syntax error" in found[0] and "tab" in found[0]


def test_duplicate_keys_are_reported(tmp_path):
    found = problems(write(tmp_path, "input: {scene: {seed: 1}}\nturns: [{instruction: a}]\nturns: [{instruction: b}]\n"))
    assert found == [f"{tmp_path / 'plan.yaml'}:3:1: duplicate key 'turns'"]


def test_every_problem_is_listed_at_once(tmp_path):
    found = problems(write(tmp_path, """
input: {scene: {seed: 1, size: 65}}
turns:
  - instruction: make it red
    expect: {identiy: ">= 0.9"}
  - instruction: ok
    expect: {identity: "about 0.9"}
options: {steps: 0}
"""))
    text = "\n".join(found)
    assert len(found) == 4, text
    assert ":2:" in text and "size" in text
    assert ":5:" in text and "unknown metric 'identiy'" in text
    assert ":7:" in text and "not a comparison" in text
    assert ":8:" in text and "steps" in text


def test_bad_graph_in_a_turn_points_at_the_turn(tmp_path):
    found = problems(write(tmp_path, """
input: {scene: {seed: 1}}
turns:
  - graph:
      nodes:
        - {id: a, op: recolor, target: {noun: circle}, params: {}}
"""))
    assert len(found) == 1 and ":5:7: node a:" in found[0] and "color" in found[0]


def test_cyclic_graph_in_a_turn_is_reported(tmp_path):
    found = problems(write(tmp_path, """
input: {scene: {seed: 1}}
turns:
  - graph:
      nodes: [{id: a, op: tone, params: {tone: warm}}, {id: b, op: style, params: {style: ink}}]
      edges: [[a, b], [b, a]]
"""))
    assert any("cycle" in f for f in found)


def test_paths_may_not_leave_the_plan_folder(tmp_path):
    outside = tmp_path / "secret.png"
    Image.new("RGB", (8, 8)).save(outside)
    folder = tmp_path / "plans"
    folder.mkdir()
    path = write(folder, "input: {image: ../secret.png}\nturns: [{instruction: x}]\n")
    found = problems(path)
    assert len(found) == 1 and ":1:16:" in found[0] and "--allow-outside" in found[0]
    assert load_plan(path, allow_outside=True).input.image == "../secret.png"


def test_missing_image_and_exactly_one_input(tmp_path):
    assert "does not exist" in problems(write(tmp_path, "input: {image: nope.png}\nturns: [{instruction: x}]\n"))[0]
    both = problems(write(tmp_path, "input: {image: a.png, scene: {seed: 1}}\nturns: [{instruction: x}]\n"))
    assert "exactly one" in both[0]


def test_a_plan_must_be_a_mapping():
    with pytest.raises(PlanError, match="a plan is a mapping"):
        parse_plan("- just a list\n")


SCENE_PLAN = "input: {scene: {seed: 1}}\nturns: [{instruction: make it warm}]\n"


@pytest.mark.parametrize("out", ["../../escaped", "/tmp/elsewhere", "link/inside"])
def test_outputs_dir_may_not_leave_the_plan_folder(tmp_path, out):
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    (folder / "link").symlink_to(tmp_path, target_is_directory=True)  # a symlink to an outside folder
    path = write(folder, SCENE_PLAN + f"outputs: {{dir: {out}}}\n")
    found = problems(path)
    assert len(found) == 1 and "outside the plan's folder" in found[0] and "--allow-outside" in found[0]
    assert ":3:" in found[0]
    assert load_plan(path, allow_outside=True).output_dir.is_absolute()


def test_a_symlinked_image_leading_outside_is_refused(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "secret.png")
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "cat.png").symlink_to(tmp_path / "secret.png")
    found = problems(write(folder, "input: {image: cat.png}\nturns: [{instruction: x}]\n"))
    assert len(found) == 1 and "symlink" in found[0]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "cannot read"),
        (b"not an image at all", "cannot read"),
        ("truncated", "damaged or truncated"),
        ("bomb", "20000x20000"),
    ],
)
def test_images_are_checked_cheaply_before_a_run(tmp_path, content, message):
    import io
    import struct
    import zlib

    if content == "truncated":
        buffer = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 10, 10)).save(buffer, "PNG")
        content = buffer.getvalue()[:-30]
    elif content == "bomb":  # a valid PNG header claiming 20000x20000 pixels, a few bytes long
        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
        idat = zlib.compress(b"\x00" * 60001)
        content = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    (tmp_path / "cat.png").write_bytes(content)
    found = problems(write(tmp_path, "input: {image: cat.png}\nturns: [{instruction: x}]\n"))
    assert len(found) == 1 and message in found[0] and ":1:16:" in found[0]


@pytest.mark.parametrize("path", ["a\x00b.png", "x" * 5000 + ".png"])
def test_unusable_paths_are_plan_errors(tmp_path, path):
    found = problems(write(tmp_path, f'input: {{image: "{path}"}}\nturns: [{{instruction: x}}]\n'))
    assert len(found) == 1


def test_unreadable_plan_files_are_plan_errors(tmp_path):
    for bad in (tmp_path / "nope.yaml", tmp_path, "a\x00b.yaml", "y" * 5000):
        with pytest.raises(PlanError):
            load_plan(bad)
    (tmp_path / "latin.yaml").write_bytes("input: {image: caf\xe9.png}\n".encode("latin-1"))
    assert "UTF-8" in problems(tmp_path / "latin.yaml")[0]
