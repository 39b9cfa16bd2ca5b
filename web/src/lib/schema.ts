/**
 * The label schema as the API serves it (normalised: every default filled in; see
 * src/consenso/core/schema/__init__.py), read defensively, and the keyboard bindings it implies.
 */
import type { Language } from "./i18n/index.svelte";
import type { Span } from "./spans";

export type LocalizedText = Partial<Record<Language, string>>;

export interface Label {
  value: string;
  names: LocalizedText;
  hotkey: string | null;
  color: string | null;
}

interface ControlBase {
  name: string;
  field: string;
  required: boolean;
  title: LocalizedText;
  instructions: LocalizedText | null;
}

export interface ChoiceControl extends ControlBase {
  type: "choice";
  labels: Label[];
}
export interface MultiChoiceControl extends ControlBase {
  type: "multi_choice";
  labels: Label[];
  min: number;
  max: number;
}
/** Labelled character ranges of the text field `field` (lib/spans.ts has the offsets). */
export interface SpansControl extends ControlBase {
  type: "spans";
  labels: Label[];
  allowOverlap: boolean;
}
export interface RatingControl extends ControlBase {
  type: "rating";
  min: number;
  max: number;
}
export interface TextControl extends ControlBase {
  type: "text";
  maxLength: number;
}
/** A control type this screen cannot show yet (later media controls). */
export interface UnsupportedControl extends ControlBase {
  type: "unsupported";
  kind: string;
}

export type Control =
  | ChoiceControl
  | MultiChoiceControl
  | SpansControl
  | RatingControl
  | TextControl
  | UnsupportedControl;
export type Answer = string | string[] | number | Span[] | null;

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function localizedText(value: unknown): LocalizedText {
  const raw = record(value);
  const out: LocalizedText = {};
  if (typeof raw["en"] === "string") out.en = raw["en"];
  if (typeof raw["es"] === "string") out.es = raw["es"];
  return out;
}

function integer(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isInteger(value) ? value : fallback;
}

function labels(value: unknown): Label[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): Label[] => {
    const raw = record(item);
    if (typeof raw["value"] !== "string") return [];
    return [
      {
        value: raw["value"],
        names: localizedText(raw["names"]),
        hotkey: typeof raw["hotkey"] === "string" && raw["hotkey"].length === 1 ? raw["hotkey"] : null,
        color: typeof raw["color"] === "string" && /^#[0-9a-fA-F]{6}$/.test(raw["color"]) ? raw["color"] : null,
      },
    ];
  });
}

export function parseControls(schema: Record<string, unknown>): Control[] {
  const items = schema["controls"];
  if (!Array.isArray(items)) return [];
  return items.flatMap((item): Control[] => {
    const raw = record(item);
    const name = raw["name"];
    const field = raw["field"];
    if (typeof name !== "string" || typeof field !== "string") return [];
    const base: ControlBase = {
      name,
      field,
      required: raw["required"] === true,
      title: localizedText(raw["title"]),
      instructions: raw["instructions"] === undefined ? null : localizedText(raw["instructions"]),
    };
    switch (raw["type"]) {
      case "choice":
        return [{ ...base, type: "choice", labels: labels(raw["labels"]) }];
      case "multi_choice": {
        const options = labels(raw["labels"]);
        return [
          {
            ...base,
            type: "multi_choice",
            labels: options,
            min: integer(raw["min"], 0),
            max: integer(raw["max"], options.length),
          },
        ];
      }
      case "spans":
        return [{ ...base, type: "spans", labels: labels(raw["labels"]), allowOverlap: raw["allow_overlap"] === true }];
      case "rating":
        return [{ ...base, type: "rating", min: integer(raw["min"], 1), max: integer(raw["max"], 5) }];
      case "text":
        return [{ ...base, type: "text", maxLength: integer(raw["max_length"], 10_000) }];
      default:
        return [{ ...base, type: "unsupported", kind: String(raw["type"]) }];
    }
  });
}

/** What a key does in the annotator: pick `value` in `control` (for spans: label the selected text). */
export interface Binding {
  control: string;
  value: string | number;
}

/**
 * Global hotkeys of a schema. The schema's own label hotkeys first (unique ignoring case, enforced by
 * the server); then, in control order, labels without one get the next free digit 1-9, and a rating
 * scale within 0-9 gets its own digits when all of them are still free (otherwise its radio group is
 * reached with Tab and set with the arrow keys). Keys are matched ignoring case.
 */
export function hotkeys(controls: Control[]): Map<string, Binding> {
  const keys = new Map<string, Binding>();
  for (const control of controls) {
    if (control.type !== "choice" && control.type !== "multi_choice" && control.type !== "spans") continue;
    for (const label of control.labels) {
      if (label.hotkey) keys.set(label.hotkey.toLowerCase(), { control: control.name, value: label.value });
    }
  }
  const digits = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
  for (const control of controls) {
    if (control.type === "choice" || control.type === "multi_choice" || control.type === "spans") {
      for (const label of control.labels) {
        if (label.hotkey) continue;
        const free = digits.find((d) => !keys.has(d));
        if (free === undefined) break;
        keys.set(free, { control: control.name, value: label.value });
      }
    } else if (control.type === "rating" && control.min >= 0 && control.max <= 9) {
      // all values or none: a scale with only some values on keys would mislead
      const values = Array.from({ length: control.max - control.min + 1 }, (_, i) => control.min + i);
      if (values.every((v) => !keys.has(String(v)))) {
        for (const v of values) keys.set(String(v), { control: control.name, value: v });
      }
    }
  }
  return keys;
}

/** The key bound to `value` of `control`, for display next to the option. */
export function keyFor(keys: Map<string, Binding>, control: string, value: string | number): string | null {
  for (const [key, binding] of keys) {
    if (binding.control === control && binding.value === value) return key;
  }
  return null;
}

/** The task text a control reads: a string field shown as is, anything else as JSON text. */
export function fieldText(data: Record<string, unknown>, field: string): string {
  const value = data[field];
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value, null, 2);
}
