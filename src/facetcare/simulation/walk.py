"""One simulated patient: the walk that drives a real `Pathway` from referral on.

The generator decides *what the patient and the clinic do*; the pathway
decides *what that means* (positive or negative block, relief or not,
whether a repeat neurotomy is allowed), and the generator follows. The
course, in order (docs/pathway.md#clinical-steps):

1. Referral, drawn until it meets the policy's entry criteria of pain
   duration and conservative care; the refused ones are counted
   (`Journey.screened_out`) and never become journeys. The findings the
   policy's other entry rules ask for (axial pain, a baseline score, no
   radiculopathy, other causes excluded, a covered diagnosis) are recorded
   as met (`facetcare.records`): the simulated patients are the ones a
   clinic refers for facet pain.
2. The latent patient is drawn (`facetcare.simulation.patient`).
3. Diagnostic blocks (`facetcare.simulation.workup`).
4. Neurotomies, follow-up, recurrence and repeats
   (`facetcare.simulation.treatment`); visits as in `facetcare.simulation.visits`.

The journey stops at the horizon, wherever the patient stands. Referral
draws come from a stream of their own, so the course draws do not shift
with the number of referrals a policy screens out.
"""

from __future__ import annotations

import datetime as dt

from facetcare import events as ev
from facetcare.errors import Rejected
from facetcare.policy import Policy
from facetcare.simulation._walkbase import Horizon
from facetcare.simulation.draws import Draws
from facetcare.simulation.journey import Journey
from facetcare.simulation.params import CohortParams
from facetcare.simulation.patient import Patient
from facetcare.simulation.plan import Plan
from facetcare.simulation.treatment import Treatment
from facetcare.simulation.workup import WorkUp

__all__ = ["MAX_SCREENED", "Walk", "simulate_patient"]

#: A referral this many times below the entry criteria means the params cannot meet them.
MAX_SCREENED = 1000


class Walk(WorkUp, Treatment):
    """Drives one patient's `Pathway`; see the module docstring for the course."""

    def run(self) -> Journey:
        try:
            self.refer()
            self.course()
        except Horizon:
            pass
        events = self.pw.events
        return Journey(
            patient_id=self.patient_id,
            events=events,
            stage=self.pw.stage,
            stages=tuple(self.stages),
            screened_out=self.screened,
            minor_complications=self.complications,
            facet=self.patient.facet,
        )

    def refer(self) -> None:
        """Draw referrals until one meets the entry criteria; count the others."""
        draw = Draws(self.seed, self.index, "referral")
        params = self.params
        for _ in range(MAX_SCREENED):
            referral = ev.Referred(**{
                **self.plan.referral_record,
                "at": self.start,
                "pathway_id": self.pathway_id,
                "patient_id": self.patient_id,
                "region": params.region,
                "pain_months": draw.integer_in(params.pain_months),
                "conservative_care_failed": draw.chance(params.conservative_care_failed),
            })
            try:
                self.attempt(referral)
            except Rejected as refused:
                if refused.codes != ("entry_criteria",):
                    raise RuntimeError(f"referral refused for {refused.codes}") from refused
                self.screened += 1
                continue
            return
        raise ValueError(
            f"{MAX_SCREENED} referrals in a row failed {self.policy.name}'s entry criteria: "
            "the CohortParams cannot meet them (see pain_months, conservative_care_failed)"
        )

    def course(self) -> None:
        params = self.params
        self.patient = Patient.draw(self.draw, params)
        targets: tuple[ev.Target, ...] | None = self.draw_targets()
        while targets is not None:
            targets = self.work_up(targets)
            if targets is None:
                return
            targets = self.treat(targets)



def simulate_patient(
    index: int,
    *,
    seed: int,
    params: CohortParams,
    policy: Policy,
    start: dt.datetime,
    horizon: dt.timedelta,
    plan: Plan | None = None,
) -> Journey:
    """The journey of the patient at 0-based ``index``; the same for any chunking."""
    plan = plan if plan is not None else Plan(params, policy)
    return Walk(plan, seed, index, start, start + horizon).run()
