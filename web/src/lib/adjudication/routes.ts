/**
 * The adjudicator's screens: the queue of escalated tasks (`/projects/3/adjudication`) and one task
 * (`/projects/3/adjudication/17`): their paths, parsed for the hash router (router.svelte.ts delegates to
 * `parseAdjudication`), and their titles.
 */
import { formatNumber, t } from "../i18n/index.svelte";

export type AdjudicationPage =
  | { page: "queue"; projectId: number }
  | { page: "task"; projectId: number; taskId: number };

const ID = "([1-9][0-9]{0,17})";

export function adjudicationQueuePath(projectId: number): string {
  return `/projects/${projectId}/adjudication`;
}

export function adjudicationTaskPath(projectId: number, taskId: number): string {
  return `/projects/${projectId}/adjudication/${taskId}`;
}

export function parseAdjudication(path: string): AdjudicationPage | null {
  const queue = new RegExp(`^/projects/${ID}/adjudication$`).exec(path);
  if (queue?.[1]) return { page: "queue", projectId: Number(queue[1]) };
  const task = new RegExp(`^/projects/${ID}/adjudication/${ID}$`).exec(path);
  if (task?.[1] && task[2]) return { page: "task", projectId: Number(task[1]), taskId: Number(task[2]) };
  return null;
}

export function adjudicationTitle(page: AdjudicationPage): string {
  return page.page === "queue"
    ? t("adjudication.queue.title")
    : t("adjudication.task.title", { id: formatNumber(page.taskId) });
}
