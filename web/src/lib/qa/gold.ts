/**
 * Gold tasks (GET /projects/{id}/gold, PUT/DELETE /tasks/{id}/gold): the task's text as the gold page
 * shows it, the check of an expected answer before it is sent (the server checks again, 422
 * `result_invalid`, and has the last word) and the server's issues placed on the controls they name.
 */
import type { Schemas } from "../api/client";
import { problem, type Answers } from "../answers";
import { formatNumber, t } from "../i18n/index.svelte";
import { schemaIssues } from "../manager/schemaDraft";
import { fieldText, type Control } from "../schema";

export type GoldTask = Schemas["GoldTaskRead"];

export const GOLD_PAGE_SIZE = 25;
const PREVIEW_CHARS = 160;

/** The task fields the controls read, in control order; a spans control shows its own field. */
export function shownFields(controls: Control[]): { plain: string[]; spans: Set<string> } {
  const spans = new Set(controls.filter((control) => control.type === "spans").map((control) => control.field));
  const plain = [...new Set(controls.map((control) => control.field))].filter((field) => !spans.has(field));
  return { plain, spans };
}

/** The start of a task's text, for a row of the list (the first field a control reads). */
export function preview(data: Record<string, unknown>, controls: Control[]): string {
  const field = controls[0]?.field ?? Object.keys(data)[0];
  const text = field === undefined ? "" : fieldText(data, field).replace(/\s+/g, " ").trim();
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
}

/** The language of a task from its `meta.language` (for `lang`), when it is a plausible tag. */
export function taskLanguage(meta: Record<string, unknown>): string | undefined {
  const lang = meta["language"];
  return typeof lang === "string" && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(lang) ? lang : undefined;
}

/** What is wrong with the expected answer, control by control (messages in the UI language). */
export function answerProblems(controls: Control[], answers: Answers): Record<string, string> {
  const found: Record<string, string> = {};
  for (const control of controls) {
    const issue = problem(control, answers[control.name] ?? null);
    if (issue) {
      const params = Object.fromEntries(Object.entries(issue.params).map(([k, v]) => [k, formatNumber(v)]));
      found[control.name] = t(issue.key, params);
    }
  }
  return found;
}

/**
 * The server's issues (`details` of 422 `result_invalid`: `{code, path, message}`) by the control their
 * path starts with ("entities[1].end" → entities); the others as they are.
 */
export function issuesByControl(
  details: unknown,
  controls: Control[],
): { byControl: Record<string, string>; others: string[] } {
  const byControl: Record<string, string> = {};
  const others: string[] = [];
  for (const issue of schemaIssues(details)) {
    const name = /^[^.[]+/.exec(issue.path)?.[0];
    if (name && controls.some((control) => control.name === name) && !(name in byControl)) {
      byControl[name] = issue.message;
    } else {
      others.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
    }
  }
  return { byControl, others };
}
