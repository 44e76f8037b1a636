"""Neurotomy, follow-up and recurrence: the outcome comes from the latent patient.

The outcome (`facetcare.simulation.patient.neurotomy_outcome`) depends on
whether the patient truly has facet pain and, for a repeat, on the first
having worked. The follow-up reports (``follow_up_days``) carry the score
that relief gives while it lasts; the pathway decides, under the policy's
success threshold, whether that is relief. A relief that ends before the
first report (most sham responses: median 8 days [4.3]) is never seen:
the reports carry the returned pain. After recurrence the repeat is booked;
`Pathway.apply` accepts or refuses it: a refusal for ``reblock_required``
starts new blocks on the same targets, any other closes the pathway.
"""

from __future__ import annotations

from facetcare import events as ev
from facetcare.machine import Stage
from facetcare.simulation._walkbase import DAY
from facetcare.simulation.patient import NO_RELIEF, neurotomy_outcome, score
from facetcare.simulation.visits import Visits

__all__ = ["TIMING_CODES", "Treatment"]

#: Timing refusals the generator waits out (it books at the earliest allowed date).
TIMING_CODES = frozenset({"block_interval", "annual_limit", "repeat_too_soon"})
FOLLOW_UP, NO_RELIEF_STAGE, RELIEVED = Stage.FOLLOW_UP, Stage.NO_RELIEF, Stage.SUSTAINED_RELIEF


class Treatment(Visits):
    """The treatment part of the walk."""

    def treat(self, targets: tuple[ev.Target, ...]) -> tuple[ev.Target, ...] | None:
        """Neurotomies and repeats; the targets for new blocks, or None when done."""
        while True:
            refused = self.attend("neurotomy", targets, self.params.booking_days)
            if refused:
                codes = {r.code for r in refused}
                if self.pw.stage != Stage.RECURRENCE:
                    raise RuntimeError(f"{self.patient_id}: neurotomy refused: {sorted(codes)}")
                if codes <= TIMING_CODES | {"reblock_required"} and "reblock_required" in codes:
                    return targets  # new diagnostic blocks on the same nerves
                self.close("repeat_not_allowed")
                return None
            if not self.neurotomy(targets):
                self.close("no_relief")
                return None

    def neurotomy(self, targets: tuple[ev.Target, ...]) -> bool:
        """Perform, discharge and follow up; True when relief came and then ended."""
        params, plan, draw = self.params, self.plan, self.draw
        repeat = self.pw.facts.neurotomy is not None
        procedure, recovery = plan.neurotomy_minutes(targets)
        performed = self.visit_at + plan.minutes[draw.integer_in(procedure)]
        lesions = self.lesions(targets)
        self.emit(ev.NeurotomyPerformed(at=performed, visit_id=self.visit_id, lesions=lesions,
                                        **plan.neurotomy_record))
        chance, minor = draw.chance, params.minor_complication_per_lesion
        for _ in lesions:
            self.complications += chance(minor)
        self.emit(ev.Discharged(at=performed + plan.minutes[draw.integer_in(recovery)],
                                visit_id=self.visit_id, escort_present=self.escort))
        outcome = neurotomy_outcome(draw, self.patient, params, repeat)
        baseline = self.baseline
        felt = score(baseline, outcome.relief)
        stage = FOLLOW_UP
        if outcome.relieved:
            lasting = outcome.days
            offsets = [days * DAY for days in params.follow_up_days if days < lasting]
            for offset in offsets:
                stage = self.emit(ev.FollowUpRecorded(at=performed + offset, pain_score=felt))
            if stage is RELIEVED:
                self.emit(ev.PainReturned(at=performed + lasting * DAY,
                                          pain_score=self.pain(baseline)))
                return True
            if not offsets:  # over before the first report: the clinic never sees it
                felt = self.pain(baseline)
        # No relief, or relief the policy's threshold does not count as relief.
        last = performed
        for offset in plan.follow_ups:
            last = performed + offset
            stage = self.emit(ev.FollowUpRecorded(at=last, pain_score=felt))
            if stage is not FOLLOW_UP:
                break
        if stage is FOLLOW_UP:  # still settling: one report after it
            last = performed + self.policy.follow_up_settling + DAY
            stage = self.emit(ev.FollowUpRecorded(at=last, pain_score=felt))
        if stage is RELIEVED:  # a lenient threshold counts weak relief: it soon ends
            self.emit(ev.PainReturned(at=last + DAY, pain_score=self.pain(baseline)))
            return True
        return False

    def pain(self, baseline: int) -> int:
        """The score when pain has come back: less than ``NO_RELIEF`` relief."""
        return score(baseline, NO_RELIEF * self.draw.unit() * 0.5)

    def lesions(self, targets: tuple[ev.Target, ...]) -> tuple[ev.Lesion, ...]:
        """Mean 5, sd 3, at least one per target [3.2]; duration and heat within the policy."""
        plan, params, integer_in = self.plan, self.params, self.draw.integer_in
        seconds, temperature = plan.lesion_seconds, plan.lesion_temperature
        record = plan.lesion_record
        width = len(targets)
        count = max(1, round(self.draw.normal(params.lesions_mean, params.lesions_sd)), width)
        made = self.plan.lesions
        found = []
        for i in range(count):
            key = (targets[i % width], integer_in(seconds), integer_in(temperature))
            lesion = made.get(key)
            if lesion is None:  # a Lesion is frozen: patients of one plan share them
                lesion = made[key] = ev.Lesion(*key, **record)  # one record per plan
            found.append(lesion)
        return tuple(found)


