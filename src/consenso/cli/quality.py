"""``consenso quality``: the quality report as Rich tables, one group per control, in English or Spanish.

Per control: a summary (counts, agreement figures, aggregation, with the reason of every missing figure),
the labels and the annotators. A missing figure shows ``—`` and a short reason in a table cell, the full
reason in the summary's note column.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from consenso.core.messages import translate
from consenso.core.quality import AggregationSummary, ControlQuality, Figure, Reason
from consenso.services.quality import ProjectQualityView

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
