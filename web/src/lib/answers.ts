/**
 * The annotator's answers: empty answers for a task, the check of required fields before sending
 * (the server checks again and has the last word), and the result the API expects.
 */
import type { MessageKey } from "./i18n/index.svelte";
import type { Answer, Control } from "./schema";
import { isSpan, sameSpan, sortSpans, type Span } from "./spans";

export type Answers = Record<string, Answer>;

export function emptyAnswers(controls: Control[]): Answers {
  const answers: Answers = {};
  for (const control of controls) {
    answers[control.name] =
      control.type === "multi_choice" || control.type === "spans" ? [] : control.type === "text" ? "" : null;
  }
  return answers;
}

export interface Problem {
  key: MessageKey;
  params: Record<string, number>;
}

/** What is wrong with the answer to `control`, or null. */
export function problem(control: Control, answer: Answer): Problem | null {
  switch (control.type) {
    case "choice":
    case "rating":
      return control.required && answer === null ? { key: "annotate.errors.required_choice", params: {} } : null;
    case "multi_choice": {
      const count = Array.isArray(answer) ? answer.length : 0;
      if (count === 0) {
        return control.required ? { key: "annotate.errors.required_choice", params: {} } : null;
      }
      if (count < control.min) return { key: "annotate.errors.too_few", params: { min: control.min } };
      if (count > control.max) return { key: "annotate.errors.too_many", params: { max: control.max } };
      return null;
    }
    case "spans": {
      const count = Array.isArray(answer) ? answer.length : 0;
      return control.required && count === 0 ? { key: "annotate.errors.required_span", params: {} } : null;
    }
    case "text": {
      const value = typeof answer === "string" ? answer : "";
      if (value.length > control.maxLength) {
        return { key: "annotate.errors.too_long", params: { max: control.maxLength } };
      }
      return control.required && !value.trim() ? { key: "annotate.errors.required_text", params: {} } : null;
    }
    case "unsupported":
      return control.required ? { key: "annotate.errors.unsupported_required", params: {} } : null;
  }
}

/** The `result` of an annotation: answered controls only (an optional control may be left out). */
export function result(controls: Control[], answers: Answers): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const control of controls) {
    const answer = answers[control.name];
    if (answer === null || answer === undefined || control.type === "unsupported") continue;
    if (Array.isArray(answer) && answer.length === 0) continue;
    if (control.type === "text" && typeof answer === "string" && !answer.trim()) continue;
    out[control.name] =
      control.type === "spans" && Array.isArray(answer)
        ? sortSpans(answer.filter(isSpan)).map(({ start, end, label }) => ({ start, end, label }))
        : answer;
  }
  return out;
}

/**
 * Answers read back from a result (a model's prediction, or an annotation being undone): each control
 * takes the part of `stored` that fits it, anything else starts empty. Never trusts the shape.
 */
export function answersFrom(controls: Control[], stored: Record<string, unknown>): Answers {
  const answers = emptyAnswers(controls);
  for (const control of controls) {
    const value = stored[control.name];
    switch (control.type) {
      case "choice":
        if (typeof value === "string" && control.labels.some((label) => label.value === value)) {
          answers[control.name] = value;
        }
        break;
      case "multi_choice":
        if (Array.isArray(value)) {
          const known = new Set(control.labels.map((label) => label.value));
          answers[control.name] = [...new Set(value.filter((item): item is string => known.has(item as string)))];
        }
        break;
      case "spans":
        if (Array.isArray(value)) {
          const known = new Set(control.labels.map((label) => label.value));
          const spans: Span[] = [];
          for (const item of value) {
            if (!isSpan(item) || !known.has(item.label)) continue;
            const span = { start: item.start, end: item.end, label: item.label };
            if (!spans.some((other) => sameSpan(other, span))) spans.push(span);
          }
          answers[control.name] = sortSpans(spans);
        }
        break;
      case "rating":
        if (typeof value === "number" && Number.isInteger(value) && value >= control.min && value <= control.max) {
          answers[control.name] = value;
        }
        break;
      case "text":
        if (typeof value === "string") answers[control.name] = value;
        break;
      case "unsupported":
        break;
    }
  }
  return answers;
}

/** Whether two sets of answers give the same result (order of chosen labels and spans aside). */
export function sameResult(controls: Control[], a: Answers, b: Answers): boolean {
  const left = result(controls, a);
  const right = result(controls, b);
  const canonical = (value: unknown): string =>
    JSON.stringify(Array.isArray(value) && value.every((item) => typeof item === "string") ? [...value].sort() : value);
  const names = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const name of names) {
    if (canonical(left[name]) !== canonical(right[name])) return false;
  }
  return true;
}
