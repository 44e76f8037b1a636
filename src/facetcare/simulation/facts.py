"""What one journey's events say, read once for both the summary and the CSV.

A journey is its events (docs/index.md#a-pathway-is-its-events) plus the stage after each, so
every figure here comes from them: no second source of truth that could
drift from what the pathway accepted. Times between steps are whole days
(``timedelta.days``), so they add up exactly across chunks.
"""

from __future__ import annotations

import datetime as dt

import attrs

from facetcare import events as ev
from facetcare.anatomy import Region
from facetcare.machine import Stage
from facetcare.pathway import Pathway
from facetcare.policy import Policy
from facetcare.scheduling import SlotEstimate, estimate_slot
from facetcare.simulation.fees import DEFAULT, FeeSchedule
from facetcare.simulation.journey import Journey

__all__ = ["SUCCESS_DAYS", "JourneyFacts", "Relief", "facts_of"]

#: A neurotomy succeeded when its ≥ 50% relief lasted this many days: 3 months, Cohen
#: 2010's success [4.3], the figure its cost per success is reckoned on. A relief of days
#: or weeks (most sham responses, [4.3] Lord 1996: median 8 days) is relief, not success.
SUCCESS_DAYS = 91

#: Stages in which a booked visit is still open when the journey stops.
_OPEN = (Stage.BLOCK_SCHEDULED, Stage.NEUROTOMY_SCHEDULED)


@attrs.frozen
class Relief:
    """One relief episode after a neurotomy: ``days`` until the pain returned or censoring."""

    days: int
    ended: bool
    repeat: bool


@attrs.frozen(kw_only=True)
class JourneyFacts:
    """The countable facts of one journey; see `facts_of`."""

    patient_id: str
    region: Region
    stage: Stage
    screened_out: int
    minor_complications: int
    events: int
    referred_at: dt.datetime
    first_block_at: dt.datetime | None
    qualifying_block_at: dt.datetime | None
    first_neurotomy_at: dt.datetime | None
    last_event_at: dt.datetime
    blocks: int
    positive_blocks: int
    negative_blocks: int
    neurotomies: int
    lesions: int
    nerves_treated: int
    booked: int
    attended: int
    cancelled: int
    missed: int
    open: int
    refused_checkins: int
    recurrences: int
    closed_reason: str | None
    reliefs: tuple[Relief, ...]
    slots: tuple[tuple[str, SlotEstimate], ...]
    #: What the blocks and neurotomies bill under the fee schedule, in cents.
    cost_cents: int = 0
    #: The latent truth (not in any event).
    facet: bool = False

    @property
    def referral_to_block_days(self) -> int | None:
        if self.first_block_at is None:
            return None
        return (self.first_block_at - self.referred_at).days

    @property
    def block_to_neurotomy_days(self) -> int | None:
        """From the last block before the first neurotomy (the one that qualified it)."""
        if self.first_neurotomy_at is None or self.qualifying_block_at is None:
            return None
        return (self.first_neurotomy_at - self.qualifying_block_at).days

    @property
    def first_block_to_neurotomy_days(self) -> int | None:
        """From the first block of all (Medicare's second block included in the wait)."""
        if self.first_neurotomy_at is None or self.first_block_at is None:
            return None
        return (self.first_neurotomy_at - self.first_block_at).days

    @property
    def first_neurotomy_relieved(self) -> bool:
        """The first neurotomy gave relief the policy counts (an episode followed)."""
        return any(not r.repeat for r in self.reliefs)

    @property
    def first_neurotomy_succeeded(self) -> bool:
        """The first neurotomy's relief lasted `SUCCESS_DAYS` within the horizon."""
        return any(not r.repeat and r.days >= SUCCESS_DAYS for r in self.reliefs)

    @property
    def referral_to_neurotomy_days(self) -> int | None:
        if self.first_neurotomy_at is None:
            return None
        return (self.first_neurotomy_at - self.referred_at).days

    @property
    def relief_days(self) -> int:
        """Days relieved after any neurotomy, up to the horizon."""
        return sum(r.days for r in self.reliefs)


def _stages(journey: Journey, policy: Policy) -> tuple[Stage, ...]:
    if len(journey.stages) == len(journey.events):
        return journey.stages
    pathway = Pathway(policy=policy)
    return tuple(pathway.apply(event) for event in journey.events)


def facts_of(  # noqa: PLR0915 (one pass over the events, one branch per kind)
    journey: Journey, policy: Policy, end: dt.datetime, slots: SlotCache | None = None,
    fees: FeeSchedule = DEFAULT,
) -> JourneyFacts:
    """Read a journey once; ``end`` is the horizon, where ongoing relief is censored."""
    slots = slots if slots is not None else SlotCache(policy)
    stages = _stages(journey, policy)
    first = journey.events[0]
    if not isinstance(first, ev.Referred):
        raise ValueError(f"{journey.patient_id}: a journey starts with Referred")
    first_block = last_block = qualifying = first_neurotomy = None
    blocks = positive = negative = neurotomies = lesions = nerves_treated = 0
    booked = attended = cancelled = missed = refused = recurrences = 0
    closed_reason: str | None = None
    cost = 0
    reliefs: list[Relief] = []
    used: list[tuple[str, SlotEstimate]] = []
    episode: ev.NeurotomyPerformed | None = None
    for event, stage in zip(journey.events, stages, strict=True):
        if isinstance(event, ev.BlockScheduled | ev.NeurotomyScheduled):
            booked += 1
        elif isinstance(event, ev.CheckedIn):
            attended += 1
        elif isinstance(event, ev.BlockPerformed):
            blocks += 1
            first_block = first_block or event.at
            last_block = event.at
            used.append(("block", slots.get("block", 2)))
            cost += fees.block_cents([(t.joint, t.side) for t in event.targets])
        elif isinstance(event, ev.ReliefAssessed):
            if stage == Stage.BLOCK_POSITIVE:
                positive += 1
            else:
                negative += 1
        elif isinstance(event, ev.NeurotomyPerformed):
            neurotomies += 1
            if first_neurotomy is None:
                first_neurotomy, qualifying = event.at, last_block
            lesions += len(event.lesions)
            nerves = len({(n, lesion.target.side) for lesion in event.lesions
                          for n in lesion.target.nerves})
            nerves_treated += nerves
            used.append(("neurotomy", slots.get("neurotomy", nerves)))
            cost += fees.neurotomy_cents({(lesion.target.joint, lesion.target.side)
                                          for lesion in event.lesions})
            episode = event
        elif isinstance(event, ev.PainReturned):
            recurrences += 1
            if episode is not None:
                reliefs.append(Relief((event.at - episode.at).days, True, neurotomies > 1))
        elif isinstance(event, ev.VisitCancelled):
            cancelled += 1
            refused += event.reason == "no_escort"
        elif isinstance(event, ev.VisitMissed):
            missed += 1
        elif isinstance(event, ev.Closed):
            closed_reason = event.reason
    if journey.stage == Stage.SUSTAINED_RELIEF and episode is not None:
        reliefs.append(Relief((end - episode.at).days, False, neurotomies > 1))
    return JourneyFacts(
        patient_id=journey.patient_id,
        region=first.region,
        stage=journey.stage,
        screened_out=journey.screened_out,
        minor_complications=journey.minor_complications,
        events=len(journey.events),
        referred_at=first.at,
        first_block_at=first_block,
        qualifying_block_at=qualifying,
        first_neurotomy_at=first_neurotomy,
        last_event_at=journey.events[-1].at,
        blocks=blocks,
        positive_blocks=positive,
        negative_blocks=negative,
        neurotomies=neurotomies,
        lesions=lesions,
        nerves_treated=nerves_treated,
        booked=booked,
        attended=attended,
        cancelled=cancelled,
        missed=missed,
        open=int(journey.stage in _OPEN),
        refused_checkins=refused,
        recurrences=recurrences,
        closed_reason=closed_reason,
        reliefs=tuple(reliefs),
        slots=tuple(used),
        cost_cents=cost,
        facet=journey.facet,
    )


class SlotCache:
    """`estimate_slot` per (procedure, nerves), computed once per policy."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._known: dict[tuple[str, int], SlotEstimate] = {}

    def get(self, procedure: str, nerves: int) -> SlotEstimate:
        key = (procedure, nerves)
        found = self._known.get(key)
        if found is None:
            found = estimate_slot("block" if procedure == "block" else "neurotomy",
                                  nerves=nerves, policy=self.policy)
            self._known[key] = found
        return found
