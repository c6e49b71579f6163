"""The one CLIP scorer of nanoedit: open_clip, architecture by name, weights from a local checkpoint.

Grounding scores proposals' nouns with it and the evals compute their CLIP figures with it
(``nanoedit.evals.metrics`` re-exports it). No weights are ever downloaded: without a local
checkpoint the scorer is unavailable, and a checkpoint that does not load raises ``ModelLoadError``.
Embeddings are L2-normalised, so every similarity is a cosine in [-1, 1].
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from nanoedit.errors import ModelLoadError

__all__ = ["CLIP_CHECKPOINT_ENV", "DEFAULT_CLIP_MODEL", "ClipScorer", "load_clip"]

DEFAULT_CLIP_MODEL = "ViT-B-32"
CLIP_CHECKPOINT_ENV = "NANOEDIT_CLIP_CHECKPOINT"


@dataclass
class ClipScorer:
    """An open_clip model with its preprocessing and tokenizer."""

    model: Any
    preprocess: Any
    tokenizer: Any
    model_name: str
    checkpoint: str
    device: str = "cpu"

    @classmethod
    def from_pretrained(
        cls, model_name: str, checkpoint: str | Path, config: str | Path | None = None, device: str = "cpu"
    ) -> ClipScorer:
        """Load ``model_name`` with weights from ``checkpoint``: a ``.safetensors`` / ``.bin`` / ``.pt``
        file for a named architecture, or a folder holding ``open_clip_config.json`` and the weights
        (the layout of open_clip models on the hub). ``config`` adds a custom architecture JSON file
        (open_clip's model-config format) under its file name."""
        import open_clip

        checkpoint = Path(checkpoint)
        if not checkpoint.exists():
            raise ModelLoadError(
                f"CLIP checkpoint {checkpoint} does not exist; give the path of a local checkpoint"
            )
        if config is not None:
            open_clip.add_model_config(Path(config))
        if checkpoint.is_dir():
            name, pretrained = f"local-dir:{checkpoint}", None
        else:
            if model_name not in open_clip.list_models():
                raise ModelLoadError(
                    f"open_clip has no architecture {model_name!r}; use one of open_clip.list_models() "
                    "or pass config= with a model-config JSON"
                )
            name, pretrained = model_name, str(checkpoint)
        try:
            model, _, preprocess = open_clip.create_model_and_transforms(
                name, pretrained=pretrained, device=device, weights_only=True
            )
            tokenizer = open_clip.get_tokenizer(name)
        except Exception as exc:  # noqa: BLE001 - torch, safetensors and open_clip raise many types for a bad file
            raise ModelLoadError(f"cannot load CLIP {model_name!r} from {checkpoint}: {exc}") from exc
        model.eval()
        return cls(model, preprocess, tokenizer, model_name, str(checkpoint), device)

    @torch.no_grad()
    def embed_images(self, images: Sequence[Image.Image]) -> torch.Tensor:
        batch = torch.stack([self.preprocess(img.convert("RGB")) for img in images]).to(self.device)
        return torch.nn.functional.normalize(self.model.encode_image(batch).float(), dim=-1)

    @torch.no_grad()
    def embed_texts(self, texts: Sequence[str]) -> torch.Tensor:
        tokens = self.tokenizer(list(texts)).to(self.device)
        return torch.nn.functional.normalize(self.model.encode_text(tokens).float(), dim=-1)

    def image_image(self, a: Image.Image, b: Image.Image) -> float:
        ea, eb = self.embed_images([a, b])
        return float(ea @ eb)

    def image_text(self, image: Image.Image, text: str) -> float:
        return float(self.embed_images([image])[0] @ self.embed_texts([text])[0])

    def similarities(self, images: Sequence[Image.Image], texts: Sequence[str]) -> torch.Tensor:
        """The cosine of every image with every text: a ``len(images) x len(texts)`` tensor."""
        return self.embed_images(images) @ self.embed_texts(texts).T

    def text_probabilities(self, images: Sequence[Image.Image], texts: Sequence[str]) -> torch.Tensor:
        """Zero-shot classification: per image, the softmax over ``texts`` of CLIP's scaled logits."""
        scale = getattr(self.model, "logit_scale", None)
        scale = float(scale.detach().exp()) if isinstance(scale, torch.Tensor) else 100.0
        return torch.softmax(scale * self.similarities(images, texts), dim=-1)

    def directional(
        self, source: Image.Image, output: Image.Image, source_caption: str, output_caption: str
    ) -> float:
        src, out = self.embed_images([source, output])
        text_src, text_out = self.embed_texts([source_caption, output_caption])
        return float(torch.nn.functional.cosine_similarity(out - src, text_out - text_src, dim=0))


def load_clip(
    model_name: str = DEFAULT_CLIP_MODEL,
    checkpoint: str | Path | None = None,
    config: str | Path | None = None,
) -> tuple[ClipScorer | None, str]:
    """The CLIP scorer and a one-line status. Without a checkpoint (argument, or the
    ``NANOEDIT_CLIP_CHECKPOINT`` variable) the scorer is ``None`` and the status says why; a checkpoint
    that exists but does not load raises ``ModelLoadError``."""
    checkpoint = checkpoint or os.environ.get(CLIP_CHECKPOINT_ENV)
    if not checkpoint:
        return None, (
            f"unavailable: no local checkpoint for CLIP {model_name} "
            f"(pass clip_checkpoint= / --clip-checkpoint, or set {CLIP_CHECKPOINT_ENV})"
        )
    if not Path(checkpoint).exists():
        return None, f"unavailable: CLIP checkpoint {checkpoint} not found"
    scorer = ClipScorer.from_pretrained(model_name, checkpoint, config=config)
    return scorer, f"open_clip {model_name} from {checkpoint}"
