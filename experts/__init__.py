"""Role experts: peft LoRA adapters on the shared backbone, their registry, and grounding (SAM, CLIP)."""
