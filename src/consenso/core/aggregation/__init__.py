"""Label aggregation: one estimated true label (and a posterior) per item from many noisy labels.

- :mod:`.base` — the fit / predict protocol: a fast path over integer codes and a DataFrame layer
  (columns ``item``, ``annotator``, ``label``).
- :mod:`.majority_vote` — :class:`MajorityVote`, with an explicit tie policy.
- :mod:`.weighted_majority_vote` — :class:`WeightedMajorityVote`, weights given or learnt from agreement.
- :mod:`.dawid_skene` — :class:`DawidSkene`, EM over per-annotator confusion matrices.
- :mod:`.mace` — :class:`MACE`, EM over per-annotator competence and guessing strategy.

Estimators follow crowd-kit: hyperparameters in the constructor, ``fit`` returns ``self``, fitted state
ends in ``_``. Malformed input raises ``ValueError``.
"""

from consenso.core.aggregation.base import COLUMNS, Aggregator, CodedLabels, coded_labels, encode_labels
from consenso.core.aggregation.dawid_skene import DawidSkene, DawidSkeneInit, DawidSkenePrior
from consenso.core.aggregation.mace import MACE
from consenso.core.aggregation.majority_vote import MajorityVote, TiePolicy
from consenso.core.aggregation.weighted_majority_vote import WeightedMajorityVote, Weighting

#: The categorical aggregators by the name the platform uses for them (``?method=`` in the API, ``--method``
#: in the CLI). Each is built with its default hyperparameters.
AGGREGATORS: dict[str, type[Aggregator]] = {
    "majority_vote": MajorityVote,
    "weighted_majority_vote": WeightedMajorityVote,
    "dawid_skene": DawidSkene,
    "mace": MACE,
}

__all__ = [
    "AGGREGATORS",
    "COLUMNS",
    "MACE",
    "Aggregator",
    "CodedLabels",
    "DawidSkene",
    "DawidSkeneInit",
    "DawidSkenePrior",
    "MajorityVote",
    "TiePolicy",
    "WeightedMajorityVote",
    "Weighting",
    "coded_labels",
    "encode_labels",
]
