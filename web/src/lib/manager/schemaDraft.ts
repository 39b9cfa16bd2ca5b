/**
 * The project editor's label schema, as a form can hold it, and the way back and forth to JSON.
 *
 * The form covers the common cases (src/consenso/core/schema/__init__.py has the format): controls of
 * the five types with name, field, required, title in en/es, and labels with value, display names in
 * en/es and a hotkey; min/max, max_length and allow_overlap where the type has them. Whatever else the
 * JSON holds (instructions, label colours, a key of the wrong type, even unknown keys) is kept aside in
 * `extra` and written back as it was, so that switching between the form and the JSON never loses work:
 * the server, not this module, says what is wrong with it.
 */

export const CONTROL_TYPES = ["choice", "multi_choice", "rating", "text", "spans"] as const;
export type ControlType = (typeof CONTROL_TYPES)[number];

type JsonObject = Record<string, unknown>;

export interface LabelDraft {
  id: number;
  value: string;
  nameEn: string;
  nameEs: string;
  hotkey: string;
  extra: JsonObject;
}

export interface ControlDraft {
  id: number;
  name: string;
  type: ControlType;
  field: string;
  required: boolean;
  titleEn: string;
  titleEs: string;
  labels: LabelDraft[];
  /** Number fields are kept as typed; the JSON gets an integer when the text is one. */
  min: string;
  max: string;
  maxLength: string;
  allowOverlap: boolean;
  extra: JsonObject;
}

export interface SchemaDraft {
  controls: ControlDraft[];
  extra: JsonObject;
}

export const DEFAULT_REQUIRED: Record<ControlType, boolean> = {
  choice: true,
  multi_choice: false,
  rating: true,
  text: false,
  spans: false,
};

export function isControlType(value: unknown): value is ControlType {
  return typeof value === "string" && (CONTROL_TYPES as readonly string[]).includes(value);
}

export function hasLabels(type: ControlType): boolean {
  return type === "choice" || type === "multi_choice" || type === "spans";
}

/** Which number keys a type has: the form shows these fields. */
export function numberKeys(type: ControlType): ("min" | "max" | "max_length")[] {
  if (type === "multi_choice" || type === "rating") return ["min", "max"];
  if (type === "text") return ["max_length"];
  return [];
}

let nextId = 1;
function newId(): number {
  return nextId++;
}

export function newLabel(): LabelDraft {
  return { id: newId(), value: "", nameEn: "", nameEs: "", hotkey: "", extra: {} };
}

export function newControl(index: number, type: ControlType = "choice"): ControlDraft {
  return {
    id: newId(),
    name: index === 0 ? "label" : `control_${index + 1}`,
    type,
    field: "text",
    required: DEFAULT_REQUIRED[type],
    titleEn: "",
    titleEs: "",
    labels: hasLabels(type) ? [newLabel()] : [],
    min: "",
    max: "",
    maxLength: "",
    allowOverlap: false,
    extra: {},
  };
}

export function newSchemaDraft(): SchemaDraft {
  return { controls: [newControl(0)], extra: {} };
}

// ---------------------------------------------------------------------------------------------------
// Draft → JSON

function bilingual(en: string, es: string): JsonObject | undefined {
  const out: JsonObject = {};
  if (en.trim()) out["en"] = en;
  if (es.trim()) out["es"] = es;
  return Object.keys(out).length ? out : undefined;
}

/** An integer when the text is one; otherwise the text itself, for the server to name the problem. */
function numberOrText(text: string): number | string {
  return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}

function labelJson(label: LabelDraft): JsonObject {
  const out: JsonObject = { value: label.value };
  const names = bilingual(label.nameEn, label.nameEs);
  if (names) out["names"] = names;
  if (label.hotkey !== "") out["hotkey"] = label.hotkey;
  return { ...out, ...label.extra };
}

function controlJson(control: ControlDraft): JsonObject {
  const out: JsonObject = {
    name: control.name,
    type: control.type,
    field: control.field,
    required: control.required,
  };
  const title = bilingual(control.titleEn, control.titleEs);
  if (title) out["title"] = title;
  if (hasLabels(control.type)) out["labels"] = control.labels.map(labelJson);
  if (control.type === "multi_choice" || control.type === "rating") {
    if (control.min.trim()) out["min"] = numberOrText(control.min);
    if (control.max.trim()) out["max"] = numberOrText(control.max);
  }
  if (control.type === "text" && control.maxLength.trim()) out["max_length"] = numberOrText(control.maxLength);
  if (control.type === "spans" && control.allowOverlap) out["allow_overlap"] = true;
  return { ...out, ...control.extra };
}

export function draftToJson(draft: SchemaDraft): JsonObject {
  return { controls: draft.controls.map(controlJson), ...draft.extra };
}

export function draftToText(draft: SchemaDraft): string {
  return JSON.stringify(draftToJson(draft), null, 2);
}

// ---------------------------------------------------------------------------------------------------
// JSON → draft

/** Why the form cannot show a schema (the JSON view keeps it): a reason code and its parameters. */
export interface NotRepresentable {
  reason: "not_object" | "controls_not_list" | "control_not_object" | "unknown_type" | "labels_not_list" | "label_not_object";
  path: string;
  type?: string;
}

export type FromJson = { ok: true; draft: SchemaDraft } | { ok: false; problem: NotRepresentable };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Moves `raw[key]` into the draft when it has the kind the form holds; otherwise it stays in `rest`. */
class Taker {
  readonly rest: JsonObject;

  constructor(raw: JsonObject) {
    this.rest = { ...raw };
  }

  string(key: string): string | null {
    const value = this.rest[key];
    if (typeof value !== "string") return null;
    delete this.rest[key];
    return value;
  }

  boolean(key: string): boolean | null {
    const value = this.rest[key];
    if (typeof value !== "boolean") return null;
    delete this.rest[key];
    return value;
  }

  integer(key: string): string {
    const value = this.rest[key];
    if (typeof value !== "number" || !Number.isInteger(value)) return "";
    delete this.rest[key];
    return String(value);
  }

  /** A bilingual text whose languages are strings (and only en/es): [en, es], or null to keep it aside. */
  texts(key: string): [string, string] | null {
    const value = this.rest[key];
    if (value === undefined) return ["", ""];
    if (!isObject(value)) return null;
    const keys = Object.keys(value);
    if (!keys.every((k) => (k === "en" || k === "es") && typeof value[k] === "string")) return null;
    delete this.rest[key];
    return [String(value["en"] ?? ""), String(value["es"] ?? "")];
  }
}

function labelFromJson(raw: JsonObject): LabelDraft {
  const take = new Taker(raw);
  const value = take.string("value") ?? "";
  const names = take.texts("names") ?? ["", ""];
  const hotkey = take.string("hotkey") ?? "";
  return { id: newId(), value, nameEn: names[0], nameEs: names[1], hotkey, extra: take.rest };
}

function controlFromJson(raw: unknown, index: number): ControlDraft | NotRepresentable {
  const path = `controls[${index}]`;
  if (!isObject(raw)) return { reason: "control_not_object", path };
  const type = raw["type"];
  if (!isControlType(type)) {
    return { reason: "unknown_type", path: `${path}.type`, type: typeof type === "string" ? type : JSON.stringify(type) };
  }
  const take = new Taker(raw);
  delete take.rest["type"];
  const labels: LabelDraft[] = [];
  if (hasLabels(type) && "labels" in raw) {
    const items = raw["labels"];
    if (!Array.isArray(items)) return { reason: "labels_not_list", path: `${path}.labels` };
    for (const [j, item] of items.entries()) {
      if (!isObject(item)) return { reason: "label_not_object", path: `${path}.labels[${j}]` };
      labels.push(labelFromJson(item));
    }
    delete take.rest["labels"];
  }
  const name = take.string("name") ?? "";
  const field = take.string("field") ?? "";
  const required = take.boolean("required") ?? DEFAULT_REQUIRED[type];
  const title = take.texts("title") ?? ["", ""];
  const keys = numberKeys(type);
  const min = keys.includes("min") ? take.integer("min") : "";
  const max = keys.includes("max") ? take.integer("max") : "";
  const maxLength = keys.includes("max_length") ? take.integer("max_length") : "";
  let allowOverlap = false;
  if (type === "spans") {
    const value = take.boolean("allow_overlap");
    // `false` is the default, written back only when it was there: keep it aside then
    if (value === true) allowOverlap = true;
    else if (value === false) take.rest["allow_overlap"] = false;
  }
  return {
    id: newId(),
    name,
    type,
    field,
    required,
    titleEn: title[0],
    titleEs: title[1],
    labels,
    min,
    max,
    maxLength,
    allowOverlap,
    extra: take.rest,
  };
}

export function draftFromJson(value: unknown): FromJson {
  if (!isObject(value)) return { ok: false, problem: { reason: "not_object", path: "" } };
  const { controls: items, ...extra } = value;
  if (!Array.isArray(items)) return { ok: false, problem: { reason: "controls_not_list", path: "controls" } };
  const controls: ControlDraft[] = [];
  for (const [index, item] of items.entries()) {
    const control = controlFromJson(item, index);
    if ("reason" in control) return { ok: false, problem: control };
    controls.push(control);
  }
  return { ok: true, draft: { controls, extra } };
}

/** Where a JSON text stops parsing: line and column (1-based) when the engine says, else null. */
export interface JsonSyntaxError {
  line: number | null;
  column: number | null;
}

export type ParsedText = { ok: true; value: unknown } | { ok: false; error: JsonSyntaxError };

/**
 * The offset where `text` stops being JSON (RFC 8259), or null when it is JSON. Engines word (and place)
 * their JSON.parse errors differently, so the place is found here: a scan that only checks the syntax.
 */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const space = (): void => {
    while (i < text.length && " \t\n\r".includes(text.charAt(i))) i++;
  };
  const literal = (word: string): boolean => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return true;
    }
    return false;
  };
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < text.length) {
      const c = text.charAt(i);
      if (c === '"') {
        i++;
        return true;
      }
      if (c < " ") return false;
      if (c === "\\") {
        const next = text.charAt(i + 1);
        if (next === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if ('"\\/bfnrt'.includes(next) && next !== "") {
          i += 2;
        } else {
          i += 1;
          return false;
        }
      } else {
        i++;
      }
    }
    return false;
  };
  const number = (): boolean => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) return false;
    i += match[0].length;
    return true;
  };
  const value = (depth: number): boolean => {
    if (depth > 512) return false;
    space();
    const c = text[i];
    if (c === "{") {
      i++;
      space();
      if (text[i] === "}") {
        i++;
        return true;
      }
      for (;;) {
        space();
        if (!string()) return false;
        space();
        if (text[i] !== ":") return false;
        i++;
        if (!value(depth + 1)) return false;
        space();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return true;
        }
        return false;
      }
    }
    if (c === "[") {
      i++;
      space();
      if (text[i] === "]") {
        i++;
        return true;
      }
      for (;;) {
        if (!value(depth + 1)) return false;
        space();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return true;
        }
        return false;
      }
    }
    if (c === '"') return string();
    return literal("true") || literal("false") || literal("null") || number();
  };
  if (!value(0)) return i;
  space();
  return i < text.length ? i : null;
}

export function parseJsonText(text: string): ParsedText {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    const offset = jsonErrorOffset(text);
    if (offset === null) return { ok: false, error: { line: null, column: null } };
    const lines = text.slice(0, offset).split("\n");
    return { ok: false, error: { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 } };
  }
}

// ---------------------------------------------------------------------------------------------------
// The server's issues

/** One problem the API found in a schema: `{code, path, message, ...params}` (core/schema/issues.py). */
export interface SchemaIssue {
  code: string;
  path: string;
  message: string;
}

export function schemaIssues(details: unknown): SchemaIssue[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((entry): SchemaIssue[] => {
    if (!isObject(entry)) return [];
    const { code, path, message } = entry;
    if (typeof code !== "string" || typeof path !== "string" || typeof message !== "string") return [];
    return [{ code, path, message }];
  });
}

/** The paths the form has a place for, for a draft: each input, each label row, each control, the top. */
export function formSlots(draft: SchemaDraft): Set<string> {
  const slots = new Set<string>(["", "controls"]);
  draft.controls.forEach((control, i) => {
    const base = `controls[${i}]`;
    for (const key of ["", ".name", ".type", ".field", ".required", ".title", ".title.en", ".title.es", ".labels"]) {
      slots.add(base + key);
    }
    for (const key of numberKeys(control.type)) slots.add(`${base}.${key}`);
    if (control.type === "spans") slots.add(`${base}.allow_overlap`);
    control.labels.forEach((_, j) => {
      const row = `${base}.labels[${j}]`;
      for (const key of ["", ".value", ".names", ".names.en", ".names.es", ".hotkey"]) slots.add(row + key);
    });
  });
  return slots;
}

/** The form slot an issue is shown at: its path, or the nearest enclosing path the form has a place for. */
export function slotOf(path: string, slots: Set<string>): string {
  let current = path;
  while (current && !slots.has(current)) {
    const cut = Math.max(current.lastIndexOf("."), current.lastIndexOf("["));
    current = cut > 0 ? current.slice(0, cut) : "";
  }
  return current;
}

/** Issues grouped by the form slot they belong to. */
export function issuesBySlot(issues: SchemaIssue[], draft: SchemaDraft): Map<string, SchemaIssue[]> {
  const slots = formSlots(draft);
  const out = new Map<string, SchemaIssue[]>();
  for (const issue of issues) {
    const slot = slotOf(issue.path, slots);
    out.set(slot, [...(out.get(slot) ?? []), issue]);
  }
  return out;
}
