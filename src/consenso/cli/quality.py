"""``consenso quality``: the quality report as Rich tables, one group per control, in English or Spanish.

Per control: a summary (counts, agreement figures, aggregation, with the reason of every missing figure),
the labels and the annotators. A missing figure shows ``—`` and a short reason in a table cell, the full
reason in the summary's note column.

``consenso quality annotators``: annotator reliability (``render_annotators``), one row per annotator (gold
accuracy and agreement with final labels with their 95 % intervals, throughput, lead times, pause), the
agreement per control, and on request each annotator's Dawid-Skene confusion matrices.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from consenso.core.messages import translate
from consenso.core.qa.reliability import ConfusionMatrix
from consenso.core.quality import AggregationSummary, ControlQuality, Figure, Reason
from consenso.services.quality import ProjectQualityView
from consenso.services.reliability import ProjectReliabilityView

EMPTY = "—"


def _value(figure: Figure, lang: str) -> str:
    if figure.value is not None:
        return f"{figure.value:.3f}"
    reason = figure.reason.value if figure.reason else "undefined"
    return f"{EMPTY} ({translate(f'quality_short_{reason}', lang)})"


def _note(figure: Figure, lang: str) -> str:
    if figure.value is not None or figure.reason is None:
        return ""
    return translate(f"quality_reason_{figure.reason.value}", lang)


def _summary(control: ControlQuality, lang: str) -> Table:
    table = Table(title=Text(translate("cli_quality_control", lang, name=control.name, type=control.type)))
    for key in ("cli_quality_col_figure", "cli_quality_col_value", "cli_quality_col_note"):
        table.add_column(translate(key, lang))
    counts = (
        ("cli_quality_items", control.items),
        ("cli_quality_items_compared", control.items_compared),
        ("cli_quality_annotations", control.annotations),
        ("cli_quality_ignored", control.ignored),
    )
    for key, number in counts:
        table.add_row(translate(key, lang), str(number), "")
    level = translate(f"cli_quality_level_{control.level}", lang) if control.level else ""
    figures = (
        (translate("cli_quality_percent", lang), control.percent_agreement),
        (translate("cli_quality_alpha", lang, level=level), control.krippendorff_alpha),
        (translate("cli_quality_kappa", lang), control.fleiss_kappa),
        (translate("cli_quality_f1_exact", lang), control.span_f1_exact),
        (translate("cli_quality_f1_overlap", lang), control.span_f1_overlap),
    )
    for name, figure in figures:
        if figure is not None:
            table.add_row(name, _value(figure, lang), _note(figure, lang))
    summary = control.aggregation
    if summary is not None:
        table.add_row(translate("cli_quality_aggregation", lang), *_aggregation(control, summary, lang))
    elif control.aggregation_reason is not None:
        reason = control.aggregation_reason.value
        table.add_row(
            translate("cli_quality_aggregation", lang),
            f"{EMPTY} ({translate(f'quality_short_{reason}', lang)})",
            translate(f"quality_reason_{reason}", lang),
        )
    return table


def _aggregation(control: ControlQuality, summary: AggregationSummary, lang: str) -> tuple[str, str]:
    """The aggregation's value cell (named after the method used) and its note."""
    confidence = _value(Figure(summary.mean_confidence, summary.mean_confidence_reason), lang)
    counts = {"method": summary.method_used, "items": summary.items, "low": summary.low_confidence_items}
    if summary.spans is not None:
        text = translate(
            "cli_quality_aggregated_spans",
            lang,
            **counts,
            spans=summary.spans,
            support=confidence,
            threshold=summary.threshold,
        )
    else:
        text = translate(
            "cli_quality_aggregated", lang, **counts, confidence=confidence, threshold=summary.threshold
        )
    notes = [_note(Figure(summary.mean_confidence, summary.mean_confidence_reason), lang)]
    if summary.method_reason is not None:
        notes.insert(
            0,
            translate(
                "cli_quality_method_substituted",
                lang,
                asked=summary.method,
                type=control.type,
                used=summary.method_used,
            ),
        )
    return text, " ".join(note for note in notes if note)


def _labels(control: ControlQuality, lang: str) -> Table:
    spans = control.type == "spans"
    table = Table()
    table.add_column(translate("cli_quality_col_label", lang))
    table.add_column(translate("cli_quality_col_count", lang), justify="right")
    if spans:
        headers = ("cli_quality_f1_exact", "cli_quality_f1_overlap")
    else:
        headers = ("cli_quality_kappa", "cli_quality_alpha")
    for key in headers:
        table.add_column(
            translate(key, lang, level=translate("cli_quality_level_nominal", lang)), justify="right"
        )
    for label in control.labels:
        pair = (
            (label.span_f1_exact, label.span_f1_overlap)
            if spans
            else (label.fleiss_kappa, label.krippendorff_alpha)
        )
        cells = [_value(figure, lang) if figure is not None else EMPTY for figure in pair]
        table.add_row(Text(str(label.label)), str(label.count), *cells)
    return table


def _annotators(control: ControlQuality, lang: str) -> Table:
    # no agreement with the aggregate nor skill for this type (multi_choice, spans): only the count to show
    aggregated = any(
        row.agreement_with_aggregate.reason is not Reason.NOT_AVAILABLE_FOR_CONTROL_TYPE
        for row in control.annotators
    )
    table = Table()
    table.add_column(translate("cli_quality_col_annotator", lang), justify="right")
    table.add_column(translate("cli_quality_col_annotations", lang), justify="right")
    if aggregated:
        table.add_column(translate("cli_quality_col_agreement", lang), justify="right")
        table.add_column(translate("cli_quality_col_skill", lang), justify="right")
    for row in control.annotators:
        cells = [str(row.annotator_id), str(row.annotations)]
        if aggregated:
            cells += [_value(row.agreement_with_aggregate, lang), _value(row.skill, lang)]
        table.add_row(*cells)
    return table


def render(view: ProjectQualityView, lang: str) -> list[RenderableType]:
    """The report as a list of things to print, in order."""
    out: list[RenderableType] = [
        Text(
            translate(
                "cli_quality_header",
                lang,
                project=view.project_id,
                annotations=view.annotations,
                annotators=view.annotators,
                method=view.method,
            )
        )
    ]
    for control in view.controls:
        out.append(Text(""))
        if control.skipped is not None:
            reason = translate(f"quality_reason_{control.skipped.value}", lang)
            out.append(
                Text(
                    translate(
                        "cli_quality_skipped", lang, name=control.name, type=control.type, reason=reason
                    )
                )
            )
            continue
        out.append(_summary(control, lang))
        if control.labels:
            out.append(_labels(control, lang))
        if control.annotators:
            out.append(_annotators(control, lang))
        if control.annotators_total > len(control.annotators):
            shown, total = len(control.annotators), control.annotators_total
            out.append(Text(translate("cli_quality_more_annotators", lang, shown=shown, total=total)))
    return out


# ``consenso quality annotators``: annotator reliability (consenso.services.reliability)


def _interval(rate: float | None, low: float | None, high: float | None) -> str:
    if rate is None or low is None or high is None:
        return EMPTY
    return f"{rate:.3f} [{low:.3f}, {high:.3f}]"


def _number(value: float | None, digits: int = 1, scale: float = 1.0) -> str:
    return EMPTY if value is None else f"{value / scale:.{digits}f}"


def _reliability_table(view: ProjectReliabilityView, lang: str) -> Table:
    table = Table(title=Text(translate("cli_reliability_title", lang)))
    table.add_column(translate("cli_quality_col_annotator", lang), justify="right")
    table.add_column(translate("cli_reliability_col_name", lang))
    for key in (
        "cli_quality_col_annotations",
        "cli_reliability_col_gold",
        "cli_reliability_col_gold_accuracy",
        "cli_reliability_col_final",
        "cli_reliability_col_per_hour",
        "cli_reliability_col_per_day",
        "cli_reliability_col_lead_median",
        "cli_reliability_col_lead_p90",
    ):
        table.add_column(translate(key, lang), justify="right")
    table.add_column(translate("cli_reliability_col_paused", lang))
    for row in view.annotators:
        gold, final = row.gold, row.agreement_with_final
        paused = (
            translate("cli_reliability_paused_since", lang, at=f"{row.paused_at:%Y-%m-%d %H:%M} UTC")
            if row.paused and row.paused_at is not None
            else translate("cli_reliability_not_paused", lang)
        )
        table.add_row(
            str(row.user_id),
            Text(row.name or row.email),
            str(row.annotations),
            f"{gold.correct}/{gold.answers}",
            _interval(gold.accuracy, gold.low, gold.high),
            _interval(final.rate, final.low, final.high),
            _number(row.throughput.per_active_hour),
            _number(row.throughput.per_day),
            _number(row.lead_time_ms.median, scale=1000.0),
            _number(row.lead_time_ms.p90, scale=1000.0),
            paused,
        )
    return table


def _agreement_table(view: ProjectReliabilityView, lang: str) -> Table | None:
    if not view.annotators or not view.annotators[0].agreement_with_final.controls:
        return None
    table = Table()
    table.add_column(translate("cli_quality_col_annotator", lang), justify="right")
    for control in view.annotators[0].agreement_with_final.controls:
        table.add_column(Text(f"{control.control} ({control.type})"), justify="right")
    for row in view.annotators:
        cells = [
            EMPTY if c.rate is None else f"{c.rate:.3f} ({c.agreed}/{c.compared})"
            for c in row.agreement_with_final.controls
        ]
        table.add_row(str(row.user_id), *cells)
    return table


def _confusion(annotator: int, matrix: ConfusionMatrix, lang: str) -> list[RenderableType]:
    """A title line (a long title would wrap inside a narrow table) and the matrix as a table."""
    if matrix.matrix is None:
        reason = translate(f"reliability_reason_{matrix.reason or 'no_answers'}", lang)
        names = {"annotator": annotator, "control": matrix.control, "reason": reason}
        return [Text(translate("cli_reliability_confusion_missing", lang, **names))]
    names = {"annotator": annotator, "control": matrix.control, "answers": matrix.answers}
    table = Table()
    table.add_column(translate("cli_reliability_col_true", lang))
    for label in matrix.labels:
        table.add_column(Text(str(label)), justify="right")
    for label, row in zip(matrix.labels, matrix.matrix, strict=True):
        table.add_row(Text(str(label)), *(f"{p:.2f}" for p in row))
    return [Text(translate("cli_reliability_confusion_title", lang, **names)), table]


def render_annotators(
    view: ProjectReliabilityView, lang: str, *, confusion: bool = False
) -> list[RenderableType]:
    """Annotator reliability as a list of things to print: a header, the main table, agreement per control,
    and with ``confusion`` each annotator's confusion matrices."""
    if not view.annotators:
        return [Text(translate("cli_reliability_empty", lang, project=view.project_id))]
    header = translate(
        "cli_reliability_header",
        lang,
        project=view.project_id,
        annotators=len(view.annotators),
        pass_score=view.gold_pass_score,
        confidence=round(view.confidence * 100),
    )
    out: list[RenderableType] = [Text(header), _reliability_table(view, lang)]
    agreement = _agreement_table(view, lang)
    if agreement is not None:
        out += [Text(""), Text(translate("cli_reliability_agreement_title", lang)), agreement]
    if confusion:
        for row in view.annotators:
            for matrix in row.confusion or ():
                out += [Text(""), *_confusion(row.user_id, matrix, lang)]
    return out
