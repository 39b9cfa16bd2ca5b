/**
 * A project's QA settings (`project.qa`, GET/PATCH /projects/{id}) as the editor's form holds them, and
 * the part of them to send: only the settings that changed (the API keeps the others).
 *
 * Shares in [0, 1] are edited as percentages (60 for 0.6). The form checks only that a field holds a
 * number: ranges are the server's to check (422 `qa_setting_invalid` naming the setting), so that its
 * message, in the UI language, is the one the manager reads.
 */
import type { Schemas } from "../api/client";
import type { MessageKey } from "../i18n/index.svelte";
import type { Control } from "../schema";

export type QaSettings = Schemas["QaSettingsRead"];

/** The aggregation methods the API knows (core/aggregation AGGREGATORS), in the order offered. */
export const METHODS = ["majority_vote", "weighted_majority_vote", "dawid_skene", "mace"] as const;
/** CEFR levels, lowest first, then native command (core/qa/settings.py LANGUAGE_LEVELS). */
export const LEVELS = ["A1", "A2", "B1", "B2", "C1", "C2", "native"] as const;

const METHOD_KEYS: Record<(typeof METHODS)[number], MessageKey> = {
  majority_vote: "qa.methods.majority_vote",
  weighted_majority_vote: "qa.methods.weighted_majority_vote",
  dawid_skene: "qa.methods.dawid_skene",
  mace: "qa.methods.mace",
};

/** The message key naming `method`, or null for a method this screen does not know (shown as is). */
export function methodKey(method: string): MessageKey | null {
  return (METHODS as readonly string[]).includes(method) ? METHOD_KEYS[method as (typeof METHODS)[number]] : null;
}

/** Settings edited as a percentage of a share in [0, 1]. */
export const PERCENT_FIELDS = [
  "agreement_threshold",
  "min_confidence",
  "gold_rate",
  "min_gold_accuracy",
  "gold_pass_score",
] as const;
/** Settings edited as whole numbers. */
export const COUNT_FIELDS = ["min_gold_answers", "rating_tolerance"] as const;

type PercentField = (typeof PERCENT_FIELDS)[number];
type CountField = (typeof COUNT_FIELDS)[number];
export type NumberField = PercentField | CountField;

/** The form: numbers bound to number inputs are `null` while empty (or not a number). */
export interface QaDraft {
  method: string;
  agreement_threshold: number | null;
  min_confidence: number | null;
  gold_rate: number | null;
  min_gold_accuracy: number | null;
  gold_pass_score: number | null;
  min_gold_answers: number | null;
  rating_tolerance: number | null;
  show_annotator_names: boolean;
  min_language_level: string;
  /** Per control name: a percentage, or null for "the project's threshold". */
  control_thresholds: Record<string, number | null>;
}

/** A share as a percentage, without the float noise of ×100 (0.29 → 29, not 28.999999999999996). */
export function toPercent(share: number): number {
  return Math.round(share * 1_000_000) / 10_000;
}

export function fromPercent(percent: number): number {
  return Math.round(percent * 10_000) / 1_000_000;
}

/**
 * The controls whose agreement decides whether a task is final (core/qa/finalize.py): every control
 * but free text (and controls this app cannot read).
 */
export function measuredControls(controls: Control[]): Control[] {
  return controls.filter((control) => control.type !== "text" && control.type !== "unsupported");
}

export function draftOf(settings: QaSettings): QaDraft {
  const thresholds: Record<string, number | null> = {};
  for (const [name, value] of Object.entries(settings.control_thresholds)) thresholds[name] = toPercent(value);
  return {
    method: settings.method,
    agreement_threshold: toPercent(settings.agreement_threshold),
    min_confidence: toPercent(settings.min_confidence),
    gold_rate: toPercent(settings.gold_rate),
    min_gold_accuracy: toPercent(settings.min_gold_accuracy),
    gold_pass_score: toPercent(settings.gold_pass_score),
    min_gold_answers: settings.min_gold_answers,
    rating_tolerance: settings.rating_tolerance,
    show_annotator_names: settings.show_annotator_names,
    min_language_level: settings.min_language_level,
    control_thresholds: thresholds,
  };
}

/** A number field left empty (or holding something that is not a number). */
export interface EmptyField {
  field: NumberField | `control_thresholds.${string}`;
}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/**
 * What to send as `qa`: the settings that differ from `saved` (null when none does), or the fields
 * that hold no number (nothing can be sent then).
 */
export function qaChanges(
  draft: QaDraft,
  saved: QaSettings,
): { ok: true; changes: Record<string, unknown> | null } | { ok: false; empty: EmptyField[] } {
  const changes: Record<string, unknown> = {};
  const empty: EmptyField[] = [];
  if (draft.method !== saved.method) changes["method"] = draft.method;
  for (const field of PERCENT_FIELDS) {
    const value = draft[field];
    if (!isNumber(value)) empty.push({ field });
    else if (value !== toPercent(saved[field])) changes[field] = fromPercent(value);
  }
  for (const field of COUNT_FIELDS) {
    const value = draft[field];
    if (!isNumber(value)) empty.push({ field });
    else if (value !== saved[field]) changes[field] = value;
  }
  if (draft.show_annotator_names !== saved.show_annotator_names) {
    changes["show_annotator_names"] = draft.show_annotator_names;
  }
  if (draft.min_language_level !== saved.min_language_level) changes["min_language_level"] = draft.min_language_level;

  // the per-control thresholds are sent whole (the API replaces the map); an empty field removes one
  const thresholds: Record<string, number> = {};
  for (const [name, value] of Object.entries(draft.control_thresholds)) {
    if (value === null || value === undefined) continue;
    if (!isNumber(value)) empty.push({ field: `control_thresholds.${name}` });
    else thresholds[name] = fromPercent(value);
  }
  const before = Object.entries(saved.control_thresholds);
  const same =
    before.length === Object.keys(thresholds).length &&
    before.every(([name, value]) => name in thresholds && toPercent(thresholds[name] ?? 0) === toPercent(value));
  if (!same) changes["control_thresholds"] = thresholds;

  if (empty.length) return { ok: false, empty };
  return { ok: true, changes: Object.keys(changes).length ? changes : null };
}

/** The error codes of the API's refusal of QA settings (shown in the QA section). */
export const QA_ERROR_CODES: ReadonlySet<string> = new Set([
  "qa_setting_invalid",
  "qa_setting_unknown",
  "unknown_aggregation_method",
  "settings_invalid",
]);

/**
 * The setting the API's message names ('gold_rate', 'control_thresholds.sentiment'), among those sent:
 * the field to mark as invalid. The API quotes the setting's key in its message; its details are empty.
 */
export function settingNamed(message: string, sent: Record<string, unknown>): string | null {
  const keys = Object.keys(sent).flatMap((key) => {
    const value = sent[key];
    return key === "control_thresholds" && value && typeof value === "object"
      ? [...Object.keys(value).map((name) => `${key}.${name}`), key]
      : [key];
  });
  return keys.find((key) => message.includes(`'${key}'`)) ?? null;
}
