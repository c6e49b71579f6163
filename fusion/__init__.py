"""Fusion: the memory bank of expert outputs, the composer, and exact pixel-space preservation."""
