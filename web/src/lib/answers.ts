/**
 * The annotator's answers: empty answers for a task, the check of required fields before sending
 * (the server checks again and has the last word), and the result the API expects.
 */
import type { MessageKey } from "./i18n/index.svelte";
import type { Answer, Control } from "./schema";

export type Answers = Record<string, Answer>;

export function emptyAnswers(controls: Control[]): Answers {
  const answers: Answers = {};
  for (const control of controls) {
    answers[control.name] = control.type === "multi_choice" ? [] : control.type === "text" ? "" : null;
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
    out[control.name] = answer;
  }
  return out;
}
