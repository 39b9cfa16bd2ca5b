/**
 * How the adjudicator's screens put the API's finalization figures into words: the lowest agreement of a
 * suggestion, a suggestion in one line per control, and the name of each kind of history row. Pure
 * functions of what the API sends (formulas: core/qa/finalize.py, docs/quality.md).
 */
import { formatNumber, t } from "../i18n/index.svelte";
import { methodKey } from "../qa/settings";
import { controlTitle, labelName } from "../reliability/figures";
import type { Control } from "../schema";

/** The lowest per-control agreement, or null when no control was measured (free text, overlap 1). */
export function lowestAgreement(agreement: Record<string, number | null | undefined>): number | null {
  const measured = Object.values(agreement).filter((value): value is number => typeof value === "number");
  return measured.length ? Math.min(...measured) : null;
}

export interface ResultLine {
  control: string;
  title: string;
  text: string;
}

function valueText(controls: Control[], control: string, value: unknown): string {
  if (typeof value === "string" || typeof value === "number") return labelName(controls, control, value);
  if (Array.isArray(value)) {
    const kind = controls.find((c) => c.name === control)?.type;
    if (kind === "spans") return t("adjudication.result.spans", { count: formatNumber(value.length) });
    return value
      .map((item) =>
        typeof item === "string" || typeof item === "number" ? labelName(controls, control, item) : JSON.stringify(item),
      )
      .join(", ");
  }
  return JSON.stringify(value);
}

/** A result as "Control: value" lines, in schema order, then any control the schema no longer has. */
export function resultLines(controls: Control[], result: Record<string, unknown>): ResultLine[] {
  const known = controls.map((c) => c.name).filter((name) => name in result);
  const others = Object.keys(result).filter((name) => !controls.some((c) => c.name === name));
  return [...known, ...others].map((name) => ({
    control: name,
    title: controlTitle(controls, name),
    text: valueText(controls, name, result[name]),
  }));
}

/** An aggregation method's name in the UI language (the API's identifier when this screen does not know it). */
export function methodName(method: string): string {
  const key = methodKey(method);
  return key ? t(key) : method;
}

/** What a history row (AdjudicationRead.method) records, in the UI language. */
export function eventName(method: string): string {
  switch (method) {
    case "escalated":
      return t("adjudication.history.escalated");
    case "adjudicated":
      return t("adjudication.history.adjudicated");
    case "reopened":
      return t("adjudication.history.reopened");
    default:
      return t("adjudication.history.automatic", { method: methodName(method) });
  }
}

/** The kind of a history row: a person's act, an escalation, or an automatic final label. */
export function eventKind(method: string): "escalated" | "adjudicated" | "reopened" | "automatic" {
  return method === "escalated" || method === "adjudicated" || method === "reopened" ? method : "automatic";
}
