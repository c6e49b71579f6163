"""The five black-box probes; ``PROBES`` maps each name to its class, in report order."""

from .base import Case, CaseContext, GoldEdit, Probe, Summary
from .composition import Compositionality
from .identity import IdentityStress
from .latency import LatencyProfile
from .multiturn import MultiTurnResilience
from .routing import RoutingSensitivity

PROBES: dict[str, type[Probe]] = {
    cls.name: cls
    for cls in (IdentityStress, Compositionality, RoutingSensitivity, LatencyProfile, MultiTurnResilience)
}

__all__ = [
    "PROBES",
    "Case",
    "CaseContext",
    "Compositionality",
    "GoldEdit",
    "IdentityStress",
    "LatencyProfile",
    "MultiTurnResilience",
    "Probe",
    "RoutingSensitivity",
    "Summary",
]
