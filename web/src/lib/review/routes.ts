/**
 * The reviewer's screens and the annotator's "My work": their paths, parsed for the hash router
 * (router.svelte.ts delegates to `parseReview`), their titles, and the review queue's filters, which
 * travel in the path's query (`/projects/3/review?reviewed=none&verdict=rejected`) so that a reload, the
 * back button and the task view's previous/next all walk the same filtered list.
 */
import { formatNumber, t } from "../i18n/index.svelte";

export const STATUSES = ["complete", "incomplete"] as const;
export const REVIEWED = ["none", "some", "all"] as const;
export const VERDICTS = ["accepted", "rejected", "fixed"] as const;

export type Status = (typeof STATUSES)[number];
export type Reviewed = (typeof REVIEWED)[number];
export type Verdict = (typeof VERDICTS)[number];

/** The queue's filters (GET /projects/{id}/review/tasks); null: not filtered on. */
export interface ReviewFilters {
  status: Status | null;
  reviewed: Reviewed | null;
  verdict: Verdict | null;
  annotator: number | null;
  /** A label of a choice control. */
  label: { control: string; label: string } | null;
}

export type ReviewPage =
  | { page: "queue"; projectId: number; filters: ReviewFilters }
  | { page: "task"; projectId: number; taskId: number; filters: ReviewFilters }
  | { page: "my_work"; projectId: number };

const ID = "([1-9][0-9]{0,17})";
const MAX_NAME = 200;

export const NO_FILTERS: ReviewFilters = { status: null, reviewed: null, verdict: null, annotator: null, label: null };

function oneOf<T extends string>(options: readonly T[], value: string | null): T | null {
  return options.find((option) => option === value) ?? null;
}

export function parseFilters(query: string): ReviewFilters {
  const params = new URLSearchParams(query);
  const annotator = params.get("annotator");
  const control = params.get("control");
  const label = params.get("label");
  return {
    status: oneOf(STATUSES, params.get("status")),
    reviewed: oneOf(REVIEWED, params.get("reviewed")),
    verdict: oneOf(VERDICTS, params.get("verdict")),
    annotator: annotator && /^[1-9][0-9]{0,17}$/.test(annotator) ? Number(annotator) : null,
    label:
      control && label && control.length <= 64 && label.length <= MAX_NAME ? { control, label } : null,
  };
}

/** The filters as a query string, without "?" ("" when there is none); the same filters give the same text. */
export function filterQuery(filters: ReviewFilters): string {
  const params = new URLSearchParams();
  if (filters.status) params.set("status", filters.status);
  if (filters.reviewed) params.set("reviewed", filters.reviewed);
  if (filters.verdict) params.set("verdict", filters.verdict);
  if (filters.annotator !== null) params.set("annotator", String(filters.annotator));
  if (filters.label) {
    params.set("control", filters.label.control);
    params.set("label", filters.label.label);
  }
  return params.toString();
}

function withQuery(path: string, filters: ReviewFilters): string {
  const query = filterQuery(filters);
  return query ? `${path}?${query}` : path;
}

export function queuePath(projectId: number, filters: ReviewFilters = NO_FILTERS): string {
  return withQuery(`/projects/${projectId}/review`, filters);
}

export function taskPath(projectId: number, taskId: number, filters: ReviewFilters = NO_FILTERS): string {
  return withQuery(`/projects/${projectId}/review/tasks/${taskId}`, filters);
}

export function myWorkPath(projectId: number): string {
  return `/projects/${projectId}/my-work`;
}

export function parseReview(fullPath: string): ReviewPage | null {
  const at = fullPath.indexOf("?");
  const path = at < 0 ? fullPath : fullPath.slice(0, at);
  const query = at < 0 ? "" : fullPath.slice(at + 1);
  const queue = new RegExp(`^/projects/${ID}/review$`).exec(path);
  if (queue?.[1]) return { page: "queue", projectId: Number(queue[1]), filters: parseFilters(query) };
  const task = new RegExp(`^/projects/${ID}/review/tasks/${ID}$`).exec(path);
  if (task?.[1] && task[2]) {
    return { page: "task", projectId: Number(task[1]), taskId: Number(task[2]), filters: parseFilters(query) };
  }
  const mine = new RegExp(`^/projects/${ID}/my-work$`).exec(path);
  if (mine?.[1] && !query) return { page: "my_work", projectId: Number(mine[1]) };
  return null;
}

/** REVIEW in core/permissions.py: admins, managers and reviewers (the API checks every call). */
export function canReview(role: string): boolean {
  return role === "admin" || role === "manager" || role === "reviewer";
}

/** Only annotators' listing of annotations is their own work alone (GET /projects/{id}/annotations). */
export function hasOwnWorkList(role: string): boolean {
  return role === "annotator";
}

export function reviewTitle(page: ReviewPage): string {
  switch (page.page) {
    case "queue":
      return t("review.queue.title");
    case "task":
      return t("review.task.title", { id: formatNumber(page.taskId) });
    case "my_work":
      return t("review.my_work.title");
  }
}
