"""Text encoders: prompts -> (token embeddings (B, L, D), padding mask (B, L)) for the DiT's cross-attention.

``GemmaTextEncoder``: a transformers decoder (Gemma-2 for SANA) from a local folder; its last hidden state
is the conditioning, as in SANA. ``ToyTextEncoder``: a tiny trainable transformer over a word vocabulary,
for the toy-world model (its prompts use a small closed vocabulary, so no sub-word tokenizer is needed).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from nanoedit.backbone.checkpoint import PretrainedMixin, check_weights_folder, read_config
from nanoedit.errors import ModelLoadError

TOKENIZER_FILES = ("tokenizer_config.json", "tokenizer.json", "tokenizer.model")


class TextEncoder(nn.Module):
    """``encode(prompts) -> (embeddings, mask)``; ``hidden_size`` is D (the DiT's ``caption_channels``)."""

    hidden_size: int

    def encode(self, prompts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError


class GemmaTextEncoder(PretrainedMixin, TextEncoder):
    """A transformers decoder-only LM (Gemma-2 in SANA) used as an encoder: last hidden state, right padding."""

    def __init__(self, tokenizer, model, max_length: int = 300):
        super().__init__()
        self.tokenizer = tokenizer
        self.tokenizer.padding_side = "right"
        self.model = model
        self.max_length = max_length
        self.hidden_size = model.config.hidden_size

    @classmethod
    def _load_pretrained(
        cls,
        folder: Path,
        *,
        dtype: torch.dtype | None = None,
        max_length: int = 300,
        tokenizer_folder: str | os.PathLike | None = None,
    ) -> GemmaTextEncoder:
        """``folder`` holds a transformers model (any Gemma-2 checkpoint, or SANA's ``text_encoder``).

        The tokenizer is read from ``tokenizer_folder`` when given, else from ``folder`` itself, else from
        a sibling ``tokenizer`` folder (a diffusers pipeline's layout: ``from_pretrained(sana,
        subfolder="text_encoder")`` finds ``sana/tokenizer``).
        """
        from transformers import AutoModel, AutoTokenizer

        read_config(folder)
        check_weights_folder(folder)  # before transformers: no pickles, shards inside, headers intact
        if tokenizer_folder is None:
            sibling = folder.parent / "tokenizer"
            has_own = any((folder / name).is_file() for name in TOKENIZER_FILES)
            tokenizer_folder = sibling if not has_own and sibling.is_dir() else folder
        try:
            tokenizer = AutoTokenizer.from_pretrained(tokenizer_folder, local_files_only=True)
            model = AutoModel.from_pretrained(folder, dtype=dtype, local_files_only=True)
        except (OSError, ValueError) as err:
            raise ModelLoadError(f"cannot load a text encoder from {folder}: {err}") from err
        return cls(tokenizer, model, max_length)

    def save_pretrained(self, folder: str | os.PathLike) -> None:
        """The transformers model and its tokenizer, together in ``folder``."""
        self.model.save_pretrained(folder)
        self.tokenizer.save_pretrained(folder)

    @torch.no_grad()
    def encode(self, prompts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        tokens = self.tokenizer(
            prompts, padding="max_length", max_length=self.max_length, truncation=True, return_tensors="pt"
        ).to(self.model.device)
        hidden = self.model(input_ids=tokens.input_ids, attention_mask=tokens.attention_mask).last_hidden_state
        return hidden, tokens.attention_mask


PAD, UNKNOWN = "<pad>", "<unk>"


class WordTokenizer:
    """Lower-cased words and digits -> ids over a fixed vocabulary; id 0 pads, id 1 is unknown."""

    def __init__(self, words: list[str]):
        self.vocab = [PAD, UNKNOWN] + sorted(set(words) - {PAD, UNKNOWN})
        self.ids = {word: i for i, word in enumerate(self.vocab)}

    @staticmethod
    def split(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower())

    def __call__(self, prompts: list[str], max_length: int) -> tuple[torch.Tensor, torch.Tensor]:
        ids = torch.zeros(len(prompts), max_length, dtype=torch.long)
        for row, prompt in enumerate(prompts):
            words = self.split(prompt)[:max_length]
            ids[row, : len(words)] = torch.tensor([self.ids.get(w, 1) for w in words], dtype=torch.long)
        mask = (ids != 0).long()
        mask[:, 0] = 1  # an empty prompt still has one (pad) token to attend to
        return ids, mask


@dataclass
class ToyTextEncoderConfig:
    vocab: list[str] = field(default_factory=list)
    hidden_size: int = 64
    num_layers: int = 2
    num_heads: int = 4
    max_length: int = 16


class ToyTextEncoder(PretrainedMixin, TextEncoder):
    """Word embeddings + learned positions -> a small pre-norm transformer encoder -> LayerNorm."""

    config_class = ToyTextEncoderConfig

    def __init__(self, config: ToyTextEncoderConfig):
        super().__init__()
        self.config = config
        self.tokenizer = WordTokenizer(config.vocab)
        self.hidden_size = config.hidden_size
        self.embed = nn.Embedding(len(self.tokenizer.vocab), config.hidden_size)
        self.positions = nn.Parameter(torch.randn(config.max_length, config.hidden_size) * 0.02)
        layer = nn.TransformerEncoderLayer(
            config.hidden_size, config.num_heads, 4 * config.hidden_size, dropout=0.0, batch_first=True,
            norm_first=True,
        )
        self.layers = nn.TransformerEncoder(layer, config.num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(config.hidden_size)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids) + self.positions[: ids.shape[1]]
        return self.norm(self.layers(x, src_key_padding_mask=mask == 0))

    def encode(self, prompts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Differentiable (the toy model trains its text encoder); wrap in no_grad for inference."""
        ids, mask = self.tokenizer(prompts, self.config.max_length)
        ids, mask = ids.to(self.embed.weight.device), mask.to(self.embed.weight.device)
        return self(ids, mask), mask
