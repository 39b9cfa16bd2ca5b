"""Quality of a ``multi_choice`` control: each label as a yes/no question, plus exact-answer agreement.

An answer is a set of labels, so the categorical coefficients apply per label: for label ``L``, every
answer says "L" or "not L", and Fleiss' kappa (same number of answers on every compared item) and
Krippendorff's alpha (nominal, missing allowed) measure agreement on that question. A label nobody chose
has no figure (``label_unused``), nor one everybody chose on every compared item (``no_variation``).

``percent_agreement`` is the mean per-item share of annotator pairs whose answers are the *same set*.
There is no overall alpha or kappa (a distance between sets, such as MASI, is not in the core yet) and no
aggregation yet: they are ``None`` with a reason, never a made-up figure.
"""

from __future__ import annotations

import numpy as np

from consenso.core.agreement import fleiss_kappa, krippendorff_alpha
from consenso.core.quality.answers import ControlAnswers
from consenso.core.quality.categorical import annotator_rows, mean_item_agreement
from consenso.core.quality.layout import ItemLayout
from consenso.core.quality.model import ControlQuality, Figure, LabelQuality, Reason, attempt
from consenso.core.schema import MultiChoiceControl


def multi_choice_quality(
    control: MultiChoiceControl, answers: ControlAnswers, *, annotator_limit: int
) -> ControlQuality:
    """The report of a multi_choice control (see the module docstring)."""
    values = [label.value for label in control.labels]
    layout = ItemLayout.of(answers.items)
    counts = dict.fromkeys(values, 0)
    for answer in answers.values:
        for value in answer:
            counts[value] += 1
    if not answers.items:
        none = Figure.undefined(Reason.NO_ANNOTATIONS)
        percent, labels = none, [(none, none)] * len(values)
    elif layout.n_compared == 0:
        none = Figure.undefined(Reason.NO_OVERLAP)
        percent, labels = none, [(none, none)] * len(values)
    else:
        set_code: dict[frozenset[str], int] = {}
        codes = np.fromiter(
            (set_code.setdefault(answer, len(set_code)) for answer in answers.values),
            dtype=np.float64,
            count=len(answers),
        )
        percent = mean_item_agreement(layout.units(codes))
        labels = [_label_figures(layout, answers, value) for value in values]
    total, annotators = annotator_rows(
        answers, layout, None, None, annotator_limit, Reason.NOT_AVAILABLE_FOR_CONTROL_TYPE
    )
    return ControlQuality(
        name=control.name,
        type=control.type_name,
        level="nominal",
        skipped=None,
        items=layout.n_items,
        items_compared=layout.n_compared,
        annotations=len(answers),
        ignored=answers.ignored,
        percent_agreement=percent,
        krippendorff_alpha=None,
        fleiss_kappa=None,
        span_f1_exact=None,
        span_f1_overlap=None,
        labels=tuple(
            LabelQuality(value, counts[value], kappa, alpha)
            for value, (kappa, alpha) in zip(values, labels, strict=True)
        ),
        annotators_total=total,
        annotators=annotators,
        aggregation=None,
        aggregation_reason=Reason.NOT_AVAILABLE_FOR_CONTROL_TYPE,
    )


def _label_figures(layout: ItemLayout, answers: ControlAnswers, value: str) -> tuple[Figure, Figure]:
    """(Fleiss' kappa, Krippendorff's alpha) of the question "did the answer include ``value``?"."""
    chosen = np.fromiter((value in answer for answer in answers.values), dtype=np.intp, count=len(answers))
    table = layout.counts(chosen, 2)  # compared items × (no, yes)
    yes = float(table[:, 1].sum())
    raters = table.sum(axis=1)
    equal = bool(np.all(raters == raters[0]))
    if yes == 0:
        unused = Figure.undefined(Reason.LABEL_UNUSED)
        return unused, unused
    if yes == float(raters.sum()):
        constant = Figure.undefined(Reason.NO_VARIATION)
        return (constant if equal else Figure.undefined(Reason.UNEQUAL_RATERS)), constant
    alpha = attempt(krippendorff_alpha, layout.units(chosen.astype(np.float64)), "nominal")
    if not equal:
        return Figure.undefined(Reason.UNEQUAL_RATERS), alpha
    return attempt(fleiss_kappa, table), alpha
