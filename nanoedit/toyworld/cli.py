"""``nanoedit toyworld sample --n 16 -o DIR``: draw toy-world edit samples and a contact sheet."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from nanoedit.errors import SceneError

KINDS = ("mixed", "single", "compound", "session")


def add_commands(commands) -> None:
    toyworld = commands.add_parser("toyworld", help="procedural scenes with exact edit ground truth")
    actions = toyworld.add_subparsers(dest="toyworld_command", metavar="ACTION", required=True)
    sample = actions.add_parser(
        "sample", help="write a contact sheet (PNG) and the samples' gold graphs (JSONL)"
    )
    sample.add_argument("--n", type=int, default=16, help="number of samples (default 16)")
    sample.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    sample.add_argument("--split", choices=("train", "val", "test"), default="train")
    sample.add_argument(
        "--kind", choices=KINDS, default="mixed", help="single or compound edits, both, or sessions"
    )
    sample.add_argument("--size", type=int, choices=(64, 128, 256), default=128, help="canvas size in pixels")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--columns", type=int, help="tiles per row (default 4; 1 for sessions)")
    sample.set_defaults(handler=_sample)


def _sample(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .datasets import EditTripletDataset, MultiTurnDataset
    from .sheet import contact_sheet

    if not 1 <= args.n <= 1000:
        raise SceneError(f"--n {args.n} is out of range; ask for 1 to 1000 samples")
    if args.kind == "session":
        dataset = MultiTurnDataset(args.split, size=args.size, length=args.n, seed=args.seed)
    else:
        share = {"mixed": 0.3, "single": 0.0, "compound": 1.0}[args.kind]
        dataset = EditTripletDataset(
            args.split, size=args.size, length=args.n, seed=args.seed, compound_share=share
        )
    samples = [dataset.sample(i) for i in tqdm(range(args.n), desc="sampling", disable=args.quiet)]
    columns = args.columns or (1 if args.kind == "session" else 4)
    args.out.mkdir(parents=True, exist_ok=True)
    sheet_path = args.out / "contact_sheet.png"
    _write_atomically(sheet_path, lambda f: contact_sheet(samples, columns=columns).save(f, format="PNG"))
    lines = [json.dumps({"index": i, **_record(s)}) for i, s in enumerate(samples)]
    _write_atomically(args.out / "samples.jsonl", lambda f: f.write(("\n".join(lines) + "\n").encode()))
    print(f"wrote {sheet_path} and {args.out / 'samples.jsonl'} ({args.n} samples, {args.split} split)")
    return 0


def _record(sample) -> dict:
    """A sample as JSON: every turn's instruction and gold graph, and the scene before and after each."""
    turns = getattr(sample, "turns", [sample])
    return {
        "turns": [{"instruction": t.instruction, "graph": t.graph.to_dict()} for t in turns],
        "scenes": [
            turns[0].source.model_dump(mode="json"),
            *(t.target.model_dump(mode="json") for t in turns),
        ],
    }


def _write_atomically(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: never a half-written file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the result is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
