"""facetcare: the facet-joint pain care pathway as a guarded state machine.

Referral → diagnostic medial branch block → relief assessment →
radiofrequency neurotomy → follow-up → possible recurrence. Clinic
scheduling systems ask where a patient stands, what may happen next, why a
step was refused and what must be booked when; researchers simulate
journeys on the same rules (`facetcare.simulation`, `facetcare.testing`).
"""

from facetcare import _policy_file as _policy_file  # registers Policy.from_file / to_file
from facetcare import events
from facetcare.anatomy import Region, Side
from facetcare.errors import PathwayError, Reason, Rejected, SerializationError, Verdict
from facetcare.events import Lesion, PainEntry, PolicyChanged, PriorProcedure, Target
from facetcare.facts import Facts
from facetcare.machine import Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy, ReliefMeasure
from facetcare.scheduling import Option, SlotEstimate, Task, estimate_slot
from facetcare.vocabulary import Agent, FunctionalScale, Guidance, Modality, Sedation

__version__ = "0.1.0"

__all__ = [
    "Agent",
    "Facts",
    "FunctionalScale",
    "Guidance",
    "Lesion",
    "Modality",
    "Option",
    "PainEntry",
    "Pathway",
    "PathwayError",
    "Policy",
    "PolicyChanged",
    "PriorProcedure",
    "Reason",
    "Region",
    "Rejected",
    "ReliefMeasure",
    "Sedation",
    "SerializationError",
    "Side",
    "SlotEstimate",
    "Stage",
    "Target",
    "Task",
    "Verdict",
    "__version__",
    "estimate_slot",
    "events",
]
