/**
 * A reviewer's fix: the answers edited on the screen turned back into a result. What the screen cannot
 * edit (spans, controls it cannot show, answers to controls the schema no longer has) is kept exactly as
 * the annotator gave it; the API checks the whole against the annotation's own schema version.
 */
import { problem, result, type Answers } from "../answers";
import { formatNumber, t } from "../i18n/index.svelte";
import type { Control } from "../schema";

export function editable(control: Control): boolean {
  return control.type !== "spans" && control.type !== "unsupported";
}

export function fixedResult(
  controls: Control[],
  answers: Answers,
  original: Record<string, unknown>,
): Record<string, unknown> {
  const edited = controls.filter(editable);
  const names = new Set(edited.map((control) => control.name));
  const kept = Object.fromEntries(Object.entries(original).filter(([name]) => !names.has(name)));
  return { ...kept, ...result(edited, answers) };
}

function canonical(value: unknown): string {
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return JSON.stringify([...value].sort());
  return JSON.stringify(value);
}

/** Whether two results say the same (the order of chosen labels aside). */
export function sameResult(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) {
    if (canonical(a[name]) !== canonical(b[name])) return false;
  }
  return true;
}

/** What is wrong with the edited answers, control by control (messages in the UI language). */
export function fixProblems(controls: Control[], answers: Answers): Record<string, string> {
  const found: Record<string, string> = {};
  for (const control of controls) {
    if (!editable(control)) continue;
    const issue = problem(control, answers[control.name] ?? null);
    if (issue) {
      const params = Object.fromEntries(Object.entries(issue.params).map(([k, v]) => [k, formatNumber(v)]));
      found[control.name] = t(issue.key, params);
    }
  }
  return found;
}
