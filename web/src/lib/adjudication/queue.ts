/**
 * The adjudication queue (GET /projects/{id}/adjudication/tasks): a page of it, and the task to open
 * after a decision. The API lists escalated tasks by id, lowest (oldest) first, an order decisions never
 * change: the next task after task N is the first listed above N that the adjudicator may decide (not
 * one they annotated), else the first such below N (one skipped earlier), else none.
 */
import { api, type Schemas } from "../api/client";
import { call } from "../api/errors";

export type QueueItem = Schemas["AdjudicationQueueItemRead"];
export type QueuePage = Schemas["AdjudicationQueuePage"];

export const PAGE_SIZE = 50;
/** How many pages the search for the next task may load before giving up. */
const MAX_PAGES = 40;

export function fetchQueuePage(projectId: number, cursor: string | null, limit = PAGE_SIZE): Promise<QueuePage> {
  return call(
    api.GET("/api/v1/projects/{project_id}/adjudication/tasks", {
      params: { path: { project_id: projectId }, query: { limit, cursor } },
    }),
  );
}

/** The task to adjudicate after `taskId`, or null when the queue holds no other task for this adjudicator. */
export async function nextInQueue(projectId: number, taskId: number): Promise<number | null> {
  let cursor: string | null = null;
  let wrapped: number | null = null;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page: QueuePage = await fetchQueuePage(projectId, cursor);
    for (const item of page.items) {
      if (item.task_id === taskId || item.annotated_by_you) continue;
      if (item.task_id > taskId) return item.task_id;
      wrapped ??= item.task_id;
    }
    if (page.next_cursor === null) break;
    cursor = page.next_cursor;
  }
  return wrapped;
}

let opened: number | null = null;

/** The task the adjudicator last opened from the list: the list gives it the focus again on the way back. */
export function rememberOpened(taskId: number): void {
  opened = taskId;
}

/** The task last opened (once: the next call answers null). */
export function takeOpened(): number | null {
  const taskId = opened;
  opened = null;
  return taskId;
}
