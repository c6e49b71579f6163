"""Hypothesis property tests over every user input kind (see tests/hostile/fuzz.py for the properties).

A few hundred cases run here; `make fuzz` runs at least 10,000 per kind and prints the counts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "hostile"))

import fuzz  # noqa: E402

EXAMPLES = {"prompts": 50, "graphs": 80, "plans": 80, "configs": 60, "images": 80}
fuzz.LONG_PROMPT_CHARS = 4000  # make fuzz goes to 25,000 (past MAX_PROMPT_CHARS); here a case stays quick


@pytest.mark.parametrize("kind", fuzz.KINDS)
def test_only_typed_errors_bounded_time_and_containment(kind):
    before = fuzz.STATS.counts[kind]["cases"]
    fuzz.property_test(kind, EXAMPLES[kind], strict=True)()
    counts = fuzz.STATS.counts[kind]
    assert counts["untyped"] == 0
    assert counts["cases"] - before >= EXAMPLES[kind] // 2  # hypothesis really generated cases
    assert counts["typed"] > 0 or kind == "prompts"  # the mutations do reach the error paths
