"""Inter-annotator agreement metrics, one per module.

- :mod:`.cohen` — two raters: Cohen's kappa (unweighted, linear, quadratic) and percent agreement.
- :mod:`.fleiss` — many raters, same number per item, nominal categories: Fleiss' kappa.
- :mod:`.krippendorff` — any number of coders, missing values, nominal/ordinal/interval/ratio:
  Krippendorff's alpha.
- :mod:`.pairwise` — every pair of annotators (kappa or percent) and per-item agreement, missing allowed.
- :mod:`.spans` — entity spans: precision / recall / F1 with exact or overlap matching.
- :mod:`.boxes` — bounding boxes: IoU and one-to-one (Hungarian) matched-box F1.
- :mod:`.gold` — Wilson score intervals, annotator accuracy on gold items and agreement with the final
  labels (rate, interval, kappa).
- :mod:`.bootstrap` — percentile bootstrap intervals over items for any of the above coefficients.

All functions are pure and take plain sequences or numpy arrays; malformed input raises ``ValueError``,
as does input on which the statistic is undefined (for example, no variation at all).
"""

from consenso.core.agreement.bootstrap import (
    BootstrapInterval,
    bootstrap_ci,
    cohen_kappa_ci,
    fleiss_kappa_ci,
    krippendorff_alpha_ci,
)
from consenso.core.agreement.boxes import box_f1, box_iou
from consenso.core.agreement.cohen import cohen_kappa, percent_agreement
from consenso.core.agreement.fleiss import fleiss_kappa, fleiss_kappa_per_category
from consenso.core.agreement.gold import agreement_with_final, gold_accuracy, wilson_interval
from consenso.core.agreement.krippendorff import Level, krippendorff_alpha, krippendorff_alpha_counts
from consenso.core.agreement.pairwise import PairwiseMetric, pairwise_agreement, per_item_agreement
from consenso.core.agreement.spans import MatchCounts, Span, SpanMatch, span_f1

__all__ = [
    "BootstrapInterval",
    "Level",
    "MatchCounts",
    "PairwiseMetric",
    "Span",
    "SpanMatch",
    "agreement_with_final",
    "bootstrap_ci",
    "box_f1",
    "box_iou",
    "cohen_kappa",
    "cohen_kappa_ci",
    "fleiss_kappa",
    "fleiss_kappa_ci",
    "fleiss_kappa_per_category",
    "gold_accuracy",
    "krippendorff_alpha",
    "krippendorff_alpha_ci",
    "krippendorff_alpha_counts",
    "pairwise_agreement",
    "per_item_agreement",
    "percent_agreement",
    "span_f1",
    "wilson_interval",
]
