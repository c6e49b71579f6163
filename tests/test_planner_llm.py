"""The LLM planner, for real: a tiny random Llama and a BPE tokenizer trained here, saved with
``save_pretrained`` and loaded back through ``LLMPlanner.from_pretrained``."""

from __future__ import annotations

import pytest

pytest.importorskip("xgrammar")
torch = pytest.importorskip("torch")

from nanoedit.errors import ModelLoadError  # noqa: E402
from nanoedit.planner import PlanContext, plan  # noqa: E402
from nanoedit.planner.llm import LLMPlan, LLMPlanner  # noqa: E402

CORPUS = [
    '{"nodes": [{"op": "remove", "target": {"noun": "circle", "color": "red"}}]}',
    "remove the red circle and make the background blue",
    "move the star to the top left, then make it bigger",
]


def _tiny_model(folder):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=["<|end|>"]
    )
    bpe.train_from_iterator(CORPUS * 20, trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|end|>", pad_token="<|end|>")
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=4096,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.eos_token_id,
    )  # fmt: skip
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def planner(tmp_path_factory):
    folder = _tiny_model(tmp_path_factory.mktemp("tiny-llama"))
    return LLMPlanner.from_pretrained(folder, max_new_tokens=400, max_nodes=1)


def test_random_weights_still_write_schema_valid_plans(planner):
    raw = planner.raw(["remove the red circle", "make the background blue"])
    assert len(raw) == 2
    for text in raw:
        LLMPlan.model_validate_json(text)  # the grammar makes any output parse


def test_invalid_plans_are_repaired_once_then_fall_back_to_rules(planner):
    planner.max_new_tokens = 3  # too short to finish any plan: both rounds fail
    try:
        graph = plan("remove the red circle", context=PlanContext(), planner=planner)
    finally:
        planner.max_new_tokens = 400
    event = graph.trace[0]
    assert event["event"] == "llm_fallback" and event["planner"] == "rules"
    assert len(event["problems"]) == 2  # the first answer's problem and the repair's
    assert [n.op.value for n in graph.nodes] == ["remove"]  # the rule planner's graph


def test_missing_model_folder_is_a_model_load_error(tmp_path):
    with pytest.raises(ModelLoadError, match="config.json"):
        LLMPlanner.from_pretrained(tmp_path / "nowhere")
