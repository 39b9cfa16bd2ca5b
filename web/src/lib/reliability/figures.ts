/**
 * How reliability figures are put on screen (GET /projects/{id}/reliability and .../reliability/me):
 * shares as percentages, intervals, the geometry of an interval bar and the shade of a heat-map cell.
 * Pure functions of the API's numbers; the API computes every figure (formulas: docs/quality.md).
 */
import { formatNumber, localized, t } from "../i18n/index.svelte";
import { formatDuration, formatPercent } from "../manager/format";
import type { Control } from "../schema";

/** A share in [0, 1] as a percentage, "—" when the API has none (null: nothing to count). */
export function share(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : formatPercent(value);
}

/** "61 %–93 %", or "" when either bound is missing. */
export function interval(low: number | null | undefined, high: number | null | undefined): string {
  if (low === null || low === undefined || high === null || high === undefined) return "";
  return t("reliability.figures.interval", { low: formatPercent(low), high: formatPercent(high) });
}

/** A lead time in ms, "—" without one. */
export function duration(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "—" : formatDuration(ms);
}

/** Annotations per hour or per day, rounded to one decimal; "—" without a figure. */
export function rate(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : formatNumber(Math.round(value * 10) / 10);
}

/** Kappa or F1: two to three decimals, "—" when undefined. */
export function statistic(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return formatNumber(Math.round(value * 1000) / 1000);
}

export interface BarGeometry {
  /** The point estimate, in [0, 100] (null: no estimate, only the track is drawn). */
  value: number | null;
  low: number | null;
  high: number | null;
}

function percentOf(value: number | null | undefined): number | null {
  if (value === null || value === undefined || Number.isNaN(value)) return null;
  return Math.min(100, Math.max(0, value * 100));
}

/** Positions on a 0–100 axis of a share and its interval, clamped; bounds only when both are known. */
export function barGeometry(
  value: number | null | undefined,
  low: number | null | undefined,
  high: number | null | undefined,
): BarGeometry {
  const lo = percentOf(low);
  const hi = percentOf(high);
  const both = lo !== null && hi !== null;
  return { value: percentOf(value), low: both ? Math.min(lo, hi) : null, high: both ? Math.max(lo, hi) : null };
}

/** A heat-map cell's intensity in [0, 1] (a probability; anything else is clamped). */
export function heat(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/** Whether a cell is dark enough to need light text (the stylesheet's colour ramp reaches the accent). */
export function isDark(value: number): boolean {
  return heat(value) >= 0.5;
}

/** The display name of a label of a categorical control: the schema's name in the UI language, else the value. */
export function labelName(controls: Control[], controlName: string, value: string | number): string {
  const control = controls.find((c) => c.name === controlName);
  if (control && (control.type === "choice" || control.type === "multi_choice" || control.type === "spans")) {
    const label = control.labels.find((l) => l.value === value);
    if (label) return localized(label.names, String(value));
  }
  return typeof value === "number" ? formatNumber(value) : value;
}

/** A control's title in the UI language, else its name. */
export function controlTitle(controls: Control[], controlName: string): string {
  const control = controls.find((c) => c.name === controlName);
  return control ? localized(control.title, controlName) : controlName;
}
