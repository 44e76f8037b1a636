"""Published figures as data: calibration targets (fitted to) and validation rows (only shown).

Each `Published` figure is a value with its interval and source (a section
of docs/sources.md) and names the `Study` protocol that
measures it in simulation and the measure it is (`facetcare.simulation.studies`).
``kind`` says whether `facetcare.simulation.fitting` may use it
("calibration", the list of issue 13) or must not ("validation": every other
figure of the facts file that the model can produce). Where the source
gives no interval, ``interval`` says how the one shown was derived:
Wilson 95% from the sample size, a published range, or an approximation,
each named.

Study populations differ. Schwarzer 1994 and Cohen 2010 measured block
responses in populations whose share of true facet pain need not be
Manchikanti's, so each has a prevalence of its own (fitted to its own
figures); every other parameter is shared. The default cohort is the
comparative-block population of Manchikanti 2010 (lumbar) and 2002 (cervical).
"""

from __future__ import annotations

import math
from fractions import Fraction

import attrs

__all__ = ["CALIBRATION", "NOT_SIMULATED", "PUBLISHED", "STUDIES", "Published", "Study",
           "wilson"]

MONTH = 365 / 12


def wilson(p: float, n: int) -> tuple[float, float]:
    """The Wilson 95% interval of a proportion ``p`` seen in ``n``."""
    z = 1.959963984540054
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@attrs.frozen
class Study:
    """How a study selected and treated its patients, as a simulated protocol.

    ``threshold`` and ``blocks`` give the selection (None: no block, every
    patient is denervated); ``population`` names whose prevalence is used
    ("default" is the region's `CohortParams`).
    """

    key: str
    region: str
    label: str
    threshold: Fraction | None
    blocks: int
    population: str = "default"
    horizon_days: int = 5 * 365


STUDIES: dict[str, Study] = {s.key: s for s in (
    Study("schwarzer1994", "lumbar", "Schwarzer 1994: lignocaine then bupivacaine, ≥ 50%",
          Fraction(1, 2), 2, "schwarzer"),
    Study("manchikanti2010", "lumbar", "Manchikanti 2010: comparative blocks, ≥ 80%",
          Fraction(4, 5), 2),
    Study("cohen2010_none", "lumbar", "Cohen 2010, no block: every patient denervated",
          None, 0, "cohen"),
    Study("cohen2010_single", "lumbar", "Cohen 2010, one block ≥ 50%", Fraction(1, 2), 1,
          "cohen"),
    Study("cohen2010_dual", "lumbar", "Cohen 2010, two comparative blocks ≥ 50%",
          Fraction(1, 2), 2, "cohen"),
    Study("macvicar2013", "lumbar", "MacVicar 2013: complete relief on two blocks",
          Fraction(1), 2),
    Study("pure2021", "lumbar", "Pain Med 2021: complete relief, controlled blocks",
          Fraction(1), 2),
    Study("practice_lumbar", "lumbar", "mixed practice: one block ≥ 50% (Smuck 2012)",
          Fraction(1, 2), 1),
    Study("manchikanti2002", "cervical", "Manchikanti 2002: lidocaine then bupivacaine, ≥ 80%",
          Fraction(4, 5), 2),
    Study("barnsley1993", "cervical", "Barnsley 1993: comparative blocks (≥ 80%: assumption)",
          Fraction(4, 5), 2),
    Study("lord1996", "cervical", "Lord 1996 RCT: complete relief on controlled blocks",
          Fraction(1), 2),
    Study("macvicar2012", "cervical", "MacVicar 2012: complete relief on two blocks",
          Fraction(1), 2),
    Study("practice_cervical", "cervical", "mixed practice: one block ≥ 50% (Smuck 2012)",
          Fraction(1, 2), 1),
)}


@attrs.frozen
class Published:
    """One published figure; shares are fractions, durations months, costs US$."""

    figure: str
    study: str
    measure: str
    value: float
    low: float
    high: float
    interval: str
    source: str
    kind: str = "validation"
    unit: str = "share"

    @property
    def region(self) -> str:
        return STUDIES[self.study].region

    @property
    def se(self) -> float:
        """The standard error the interval implies (what the fit weighs residuals by)."""
        return (self.high - self.low) / (2 * 1.959963984540054)


def _share(figure: str, study: str, measure: str, p: float, n: int, source: str,  # noqa: PLR0917
           kind: str = "validation", note: str = "") -> Published:
    low, high = wilson(p, n)
    return Published(figure, study, measure, p, low, high,
                     f"Wilson 95% from n = {n}{note}", source, kind)


def _median(figure: str, study: str, measure: str, months: float,  # noqa: PLR0917
            events: int, source: str,
            kind: str = "validation") -> Published:
    spread = math.exp(1.959963984540054 / math.sqrt(events))
    return Published(figure, study, measure, months, months / spread, months * spread,
                     f"approximate: ×/÷ exp(1.96/√{events} events) (assumption)", source,
                     kind, "months")


_C = "calibration"
_SCH = "[4.2] Schwarzer 1994, Pain 58:195"
_COH = "[4.3] Cohen 2010, Anesthesiology 113:395"
_COH_N = " per arm (151 randomised / 3: assumption)"
_MAC13 = "[4.3] MacVicar 2013, Pain Med 14:639"
_MAC12 = "[4.3] MacVicar 2012, Pain Med 13:647"
_M02 = "[4.1, 4.2] Manchikanti 2002, Pain Physician"

PUBLISHED: tuple[Published, ...] = (
    # -- lumbar, calibration -------------------------------------------------------
    _share("respond to a first block (≥ 50%)", "schwarzer1994", "first_block_positive",
           0.47, 176, _SCH, _C),
    _share("confirmed by a second block", "schwarzer1994", "both_blocks_positive",
           0.15, 176, _SCH, _C),
    Published("prevalence with comparative blocks (≥ 80%)", "manchikanti2010",
              "both_blocks_positive", 0.31, 0.21, 0.41, "published range 21–41%",
              "[4.1] Manchikanti 2010, Int J Med Sci", _C),
    _share("denervated after one block", "cohen2010_single", "denervated", 0.41, 50, _COH, _C,
           _COH_N),
    _share("denervated after two blocks", "cohen2010_dual", "denervated", 0.34, 50, _COH, _C,
           _COH_N),
    _share("success among the denervated, no block", "cohen2010_none", "success_3m",
           0.33, 50, _COH, _C, _COH_N),
    _share("success among the denervated, one block", "cohen2010_single", "success_3m",
           0.39, 21, _COH, _C, " (41% of 50)"),
    _share("success among the denervated, two blocks", "cohen2010_dual", "success_3m",
           0.64, 17, _COH, _C, " (34% of 50)"),
    _share("success, practice 1 (complete relief ≥ 6 months)", "macvicar2013",
           "success_complete_6m", 0.58, 53, _MAC13, _C, " (106 / 2: assumption)"),
    _share("success, practice 2 (complete relief ≥ 6 months)", "macvicar2013",
           "success_complete_6m", 0.53, 53, _MAC13, _C, " (106 / 2: assumption)"),
    _median("median relief after a first neurotomy", "macvicar2013", "relief_median",
            15, 59, _MAC13, _C),
    _median("median relief after a repeat neurotomy", "macvicar2013", "repeat_relief_median",
            13, 30, _MAC13, _C),
    # -- lumbar, validation --------------------------------------------------------
    _share("single-block false-positive rate", "schwarzer1994", "false_positive",
           0.38, 150, _SCH),
    _share("positive predictive value of one block", "schwarzer1994", "ppv", 0.31, 83, _SCH),
    _share("replication: respond to a first block", "schwarzer1994", "first_block_positive",
           0.45, 35, "[4.2] replication, 35 patients (MED)"),
    _share("replication: confirmed by a second block", "schwarzer1994",
           "both_blocks_positive", 0.14, 35, "[4.2] replication, 35 patients (MED)"),
    _share("replication: single-block false-positive rate", "schwarzer1994",
           "false_positive", 0.37, 30, "[4.2] replication, 35 patients (MED)"),
    _share("success per randomised patient, no block", "cohen2010_none", "success_overall",
           0.33, 50, _COH, note=_COH_N),
    _share("success per randomised patient, one block", "cohen2010_single", "success_overall",
           0.16, 50, _COH, note=_COH_N),
    _share("success per randomised patient, two blocks", "cohen2010_dual", "success_overall",
           0.22, 50, _COH, note=_COH_N),
    Published("cost per success, no block", "cohen2010_none", "cost_per_success", 6286,
              6286 / 1.25, 6286 * 1.25, "none published: ±25% tolerance (assumption)", _COH,
              unit="usd"),
    Published("cost per success, one block", "cohen2010_single", "cost_per_success", 17142,
              17142 / 1.25, 17142 * 1.25, "none published: ±25% tolerance (assumption)", _COH,
              unit="usd"),
    Published("cost per success, two blocks", "cohen2010_dual", "cost_per_success", 15241,
              15241 / 1.25, 15241 * 1.25, "none published: ±25% tolerance (assumption)", _COH,
              unit="usd"),
    Published("'pure' facet pain: complete relief, controlled blocks", "pure2021",
              "both_blocks_positive", 0.15, 0.10, 0.20, "published 95% CI",
              "[4.1] Pain Med 2021, doi:10.1093/pm/pnaa383"),
    Published("latent facet prevalence, cited range", "manchikanti2010", "prevalence",
              0.30, 0.15, 0.45, "published range 15–45%", "[4.1] Lakemeier 2013 (intro)"),
    Published("mean ≥ 50% relief after a first neurotomy", "practice_lumbar",
              "relief_mean", 9.0, 7.0, 9.0, "review range 7–9 months (overall)",
              "[4.4] Smuck 2012, PM R 4:686", unit="months"),
    Published("repeat neurotomy success (up to 7 repeats)", "macvicar2013",
              "repeat_success", 0.85, 0.85, 1.0, "reported as > 85% (20 patients)",
              "[4.4] Schofferman & Kine 2004 (LOW–MED)"),
    # -- cervical, calibration -----------------------------------------------------
    _share("respond to lidocaine (≥ 80%)", "manchikanti2002", "first_block_positive",
           0.70, 92, _M02, _C, " (implied by the published CI of the 60%)"),
    _share("of those, confirmed with bupivacaine", "manchikanti2002", "confirmed_given_first",
           0.79, 64, _M02, _C, " (70% of 92)"),
    Published("prevalence with comparative blocks", "manchikanti2002", "both_blocks_positive",
              0.60, 0.50, 0.70, "published 95% CI", _M02, _C),
    Published("single-block false-positive rate", "barnsley1993", "false_positive",
              0.27, 0.15, 0.38, "published 95% CI", "[4.2] Barnsley 1993, Clin J Pain", _C),
    # -- cervical, validation ------------------------------------------------------
    _share("false-positive rate as the authors report it", "manchikanti2002",
           "false_positive", 0.40, 41, _M02),
    _median("median time to return of pain (all treated)", "lord1996", "return_median_all",
            263 / MONTH, 10, "[4.3] Lord 1996, NEJM 335:1721"),
    _share("pain-free at 27 weeks", "lord1996", "pain_free_27w", 7 / 12, 12,
           "[4.3] Lord 1996, NEJM 335:1721"),
    _share("success, practice 1 (complete relief ≥ 6 months)", "macvicar2012",
           "success_complete_6m", 0.74, 52, _MAC12, note=" (104 / 2: assumption)"),
    _share("success, practice 2 (complete relief ≥ 6 months)", "macvicar2012",
           "success_complete_6m", 0.61, 52, _MAC12, note=" (104 / 2: assumption)"),
    Published("median relief after a first neurotomy", "macvicar2012", "relief_median",
              18.5, 17, 20, "published range 17–20 months", _MAC12, unit="months"),
    _median("median relief after a repeat neurotomy", "macvicar2012", "repeat_relief_median",
            15, 30, _MAC12),
    Published("mean > 50% relief after a first neurotomy", "practice_cervical", "relief_mean",
              7.95, 7.3, 8.6, "review range 7.3–8.6 months", "[4.4] Smuck 2012, PM R 4:686",
              unit="months"),
    Published("latent facet prevalence, review range", "manchikanti2002", "prevalence",
              0.48, 0.26, 0.70, "review range 26–70%", "[4.1] review, apm.amegroups.org"),
)

CALIBRATION = tuple(p for p in PUBLISHED if p.kind == "calibration")

#: Figures of the facts file the model cannot produce, and why (shown in the docs).
NOT_SIMULATED: tuple[tuple[str, str], ...] = (
    ("Bogduk 2010: intra-articular blocks, 40% / 32%", "intra-articular blocks are not modelled"),
    ("Barnsley 1993: 34 of 44 with longer bupivacaine relief", "agent durations not modelled"),
    ("Govind 2003: third occipital nerve, 88% / 297 d", "the TON subgroup is not modelled"),
    ("Engel 2016: NNT 2", "no sham arm is simulated"),
    ("MINT 2017: NRS difference −0.18", "pain scores after neurotomy are not an NRS trial"),
    ("Cohen 2007 / Burnham 2020: success by block relief band", "not yet a measure"),
    ("Cohen 2013: no difference above a 50% cut-off", "not yet a measure"),
    ("Smuck 2012: repeat success ranges", "used as inputs (repeat_success_if_facet)"),
    ("Lord 1996 sham arm: median 8 days, 1 of 12 pain-free at 27 weeks",
     "used as inputs (sham_relief_median_days, sham_relief_shape)"),
)
