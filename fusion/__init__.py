"""Fusion: the memory bank of expert outputs, the composer, and exact pixel-space preservation."""

from nanoedit.fusion.composer import Composer, PriorityComposer, paint_order
from nanoedit.fusion.memory import MemoryBank, Slot
from nanoedit.fusion.preserve import keep_outside, restore_locked

__all__ = ["Composer", "MemoryBank", "PriorityComposer", "Slot", "keep_outside", "paint_order", "restore_locked"]
