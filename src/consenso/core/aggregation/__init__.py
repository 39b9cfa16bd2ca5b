"""Label aggregation: one estimated true label (and a posterior) per item from many noisy labels.

- :mod:`.base` — the fit / predict protocol: a fast path over integer codes and a DataFrame layer
  (columns ``item``, ``annotator``, ``label``).
- :mod:`.majority_vote` — :class:`MajorityVote`, with an explicit tie policy.
- :mod:`.weighted_majority_vote` — :class:`WeightedMajorityVote`, weights given or learnt from agreement.
- :mod:`.dawid_skene` — :class:`DawidSkene`, EM over per-annotator confusion matrices.
- :mod:`.mace` — :class:`MACE`, EM over per-annotator competence and guessing strategy.
- :mod:`.multilabel` — :class:`MultiLabelAggregator`, one present/absent question per label (vote or
  Dawid-Skene).
- :mod:`.spans` — :func:`aggregate_spans`, token-level voting back to entity spans.
- :mod:`.boxes` — :func:`aggregate_boxes`, boxes clustered by IoU across annotators and fused.

Estimators follow crowd-kit: hyperparameters in the constructor, ``fit`` returns ``self``, fitted state
ends in ``_``. Malformed input raises ``ValueError``.
"""

from consenso.core.aggregation.base import COLUMNS, Aggregator, CodedLabels, coded_labels, encode_labels
from consenso.core.aggregation.boxes import BoxFusion, FusedBox, aggregate_boxes
from consenso.core.aggregation.dawid_skene import DawidSkene, DawidSkeneInit, DawidSkenePrior
from consenso.core.aggregation.mace import MACE
from consenso.core.aggregation.majority_vote import MajorityVote, TiePolicy
from consenso.core.aggregation.multilabel import MULTILABEL_COLUMNS, MultiLabelAggregator, MultiLabelMethod
from consenso.core.aggregation.spans import AggregatedSpan, aggregate_spans
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
    "MULTILABEL_COLUMNS",
    "AggregatedSpan",
    "Aggregator",
    "BoxFusion",
    "CodedLabels",
    "DawidSkene",
    "DawidSkeneInit",
    "DawidSkenePrior",
    "FusedBox",
    "MajorityVote",
    "MultiLabelAggregator",
    "MultiLabelMethod",
    "TiePolicy",
    "WeightedMajorityVote",
    "Weighting",
    "aggregate_boxes",
    "aggregate_spans",
    "coded_labels",
    "encode_labels",
]
