"""Inter-annotator agreement metrics, one per module.

- :mod:`.cohen` — two raters: Cohen's kappa (unweighted, linear, quadratic) and percent agreement.
- :mod:`.fleiss` — many raters, same number per item, nominal categories: Fleiss' kappa.
- :mod:`.krippendorff` — any number of coders, missing values, nominal/ordinal/interval/ratio:
  Krippendorff's alpha.

All functions are pure and take plain sequences or numpy arrays; malformed input raises ``ValueError``,
as does input on which the statistic is undefined (for example, no variation at all).
"""

from consenso.core.agreement.cohen import cohen_kappa, percent_agreement
from consenso.core.agreement.fleiss import fleiss_kappa, fleiss_kappa_per_category
from consenso.core.agreement.krippendorff import Level, krippendorff_alpha

__all__ = [
    "Level",
    "cohen_kappa",
    "fleiss_kappa",
    "fleiss_kappa_per_category",
    "krippendorff_alpha",
    "percent_agreement",
]
