"""Diagnostic blocks: targets, the block visit, the diary written from the relief trajectory.

Blocks go on a drawn set of targets until the policy's number of positive
blocks; a negative block resets the series and another set of targets is
tried; after ``max_negative_blocks`` the pathway is closed. Each block's
peak relief comes from the latent patient (`facetcare.simulation.patient`),
the diary samples its trajectory on the cited cadence, and the pathway's
`ReliefAssessed` decides, under the policy's own threshold, whether it is
positive: the simulator only reads the stage it returns. A missing diary
is negative.
"""

from __future__ import annotations

from facetcare import events as ev
from facetcare.anatomy import Side
from facetcare.machine import Stage
from facetcare.simulation.patient import block_relief, diary_scores
from facetcare.simulation.visits import Visits

__all__ = ["WorkUp"]

BLOCK_POSITIVE = Stage.BLOCK_POSITIVE


class WorkUp(Visits):
    """The diagnostic part of the walk."""

    def draw_targets(self) -> tuple[ev.Target, ...]:
        """Contiguous levels, one side or both; no more levels than the policy allows."""
        params = self.params
        joints = params.joints
        levels = 2 if len(joints) > 1 and self.draw.chance(params.two_levels) else 1
        cap = self.policy.max_block_levels
        if cap is not None:
            levels = min(levels, cap)
        first = self.draw.integer(0, len(joints) - levels)
        if self.draw.chance(params.bilateral):
            sides: tuple[Side, ...] = (Side.LEFT, Side.RIGHT)
        else:
            sides = (Side.LEFT,) if self.draw.chance(0.5) else (Side.RIGHT,)
        return self.plan.targets(first, levels, sides)

    def work_up(self, targets: tuple[ev.Target, ...]) -> tuple[ev.Target, ...] | None:
        """Blocks until the policy's number of positive ones; None when closed."""
        positives = negatives = 0
        while positives < self.policy.blocks_required:
            if self.block(targets):
                positives += 1
                continue
            positives = 0
            negatives += 1
            if negatives >= self.params.max_negative_blocks:
                self.close("negative_blocks")
                return None
            targets = self.draw_targets()  # other nerves may be tried
        return targets

    def block(self, targets: tuple[ev.Target, ...]) -> bool:
        """One block visit, diary and assessment; True when the pathway says positive."""
        params, plan, draw = self.params, self.plan, self.draw
        first = not self.pw.facts.block_times  # a simulated referral has no prior ones
        refused = self.attend("block", targets,
                              params.referral_to_block_days if first else params.booking_days)
        if refused:
            raise RuntimeError(f"{self.patient_id}: block booking refused: {refused}")
        minutes = plan.minutes
        given = self.visit_at + minutes[draw.integer_in(plan.block_minutes)]
        baseline = draw.integer_in(params.baseline_pain)
        self.emit(ev.BlockPerformed(at=given, visit_id=self.visit_id, targets=targets,
                                    baseline_pain=baseline, **plan.block_record))
        peak = block_relief(draw, self.patient, params, first)
        lasting = draw.integer_in(params.anaesthetic_minutes)
        discharge = ev.Discharged(
            at=given + minutes[draw.integer_in(plan.discharge_minutes)],
            visit_id=self.visit_id, escort_present=self.escort)
        diary: ev.ReliefDiaryRecorded | None = None
        if not draw.chance(params.diary_missing):
            diary_at = given + minutes[plan.window_minutes + draw.integer(0, 14 * 60)]
            entry = ev.PainEntry
            scores = diary_scores(baseline, peak, lasting, plan.diary_minutes)
            diary = ev.ReliefDiaryRecorded(at=diary_at, entries=tuple([
                entry(given + offset, value)
                for offset, (_, value) in zip(plan.diary_offsets, scores, strict=True)
            ]))
        if diary is not None and diary.at < discharge.at:  # in time order, discharge first on a tie
            self.emit(diary)
            self.emit(discharge)
        else:
            self.emit(discharge)
            if diary is not None:
                self.emit(diary)
        assessed = max(given + plan.review_after, self.now)  # see `Plan.review_after`
        positive = self.emit(ev.ReliefAssessed(at=assessed)) == BLOCK_POSITIVE
        if positive:
            self.baseline = baseline
        return positive
