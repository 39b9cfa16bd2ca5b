/**
 * The review queue as loaded so far (GET /projects/{id}/review/tasks, page after page): the list shows
 * it, and a task's previous/next buttons walk it, so that both follow the same filtered list.
 *
 * The API lists tasks by id, highest first, an order reviews never change: the task after task N is
 * the first listed with an id below N, the one before it the last listed above N. That holds even when
 * task N no longer matches the filters (a task filtered "not reviewed" that was just reviewed), and when
 * the task view was opened by its address, without the list.
 */
import { api, type Schemas } from "../api/client";
import { call } from "../api/errors";
import { filterQuery, type ReviewFilters } from "./routes";

export type QueueItem = Schemas["ReviewQueueItemRead"];

export const PAGE_SIZE = 50;
/** How many pages one step to a neighbour may load before giving up. */
const MAX_PAGES_PER_STEP = 40;

interface Queue {
  /** Project and filters this list is for. */
  key: string;
  projectId: number;
  filters: ReviewFilters;
  items: QueueItem[];
  cursor: string | null;
  /** Whether the first page has been asked for. */
  started: boolean;
}

const state = $state<Queue>({
  key: "",
  projectId: 0,
  filters: { status: null, reviewed: null, verdict: null, annotator: null, label: null },
  items: [],
  cursor: null,
  started: false,
});

let inflight: Promise<QueueItem[]> | null = null;
/** The task the reviewer last opened from the list: the list gives it the focus again on the way back. */
let opened: number | null = null;
let generation = 0;

function keyOf(projectId: number, filters: ReviewFilters): string {
  return `${projectId}?${filterQuery(filters)}`;
}

function reset(projectId: number, filters: ReviewFilters): void {
  generation += 1;
  inflight = null;
  state.key = keyOf(projectId, filters);
  state.projectId = projectId;
  state.filters = filters;
  state.items = [];
  state.cursor = null;
  state.started = false;
}

/** The tasks loaded so far (reactive). */
export function queueItems(): QueueItem[] {
  return state.items;
}

/** Whether the API has more tasks than those loaded (reactive). */
export function queueHasMore(): boolean {
  return !state.started || state.cursor !== null;
}

async function fetchPage(): Promise<QueueItem[]> {
  if (inflight) return inflight;
  const mine = generation;
  const { projectId, filters, cursor } = state;
  const request = call(
    api.GET("/api/v1/projects/{project_id}/review/tasks", {
      params: {
        path: { project_id: projectId },
        query: {
          limit: PAGE_SIZE,
          cursor,
          status: filters.status,
          reviewed: filters.reviewed,
          verdict: filters.verdict,
          annotator_id: filters.annotator,
          label: filters.label?.label ?? null,
          control: filters.label?.control ?? null,
        },
      },
    }),
  )
    .then((page) => {
      if (mine !== generation) return [];
      const known = new Set(state.items.map((item) => item.task_id));
      const fresh = page.items.filter((item) => !known.has(item.task_id));
      state.items = [...state.items, ...fresh];
      state.cursor = page.next_cursor;
      state.started = true;
      return fresh;
    })
    .finally(() => {
      if (mine === generation) inflight = null;
    });
  inflight = request;
  return request;
}

/** The list of `projectId` under `filters` afresh: its first page. */
export async function reloadQueue(projectId: number, filters: ReviewFilters): Promise<void> {
  reset(projectId, filters);
  await fetchPage();
}

/** The next page of the list; the tasks it added. */
export async function loadMoreQueue(): Promise<QueueItem[]> {
  if (!queueHasMore()) return [];
  return fetchPage();
}

/**
 * The task before (`previous`) or after (`next`) `taskId` in the list of `projectId` under `filters`,
 * loading pages as needed; null when there is none.
 */
export async function neighbour(
  projectId: number,
  filters: ReviewFilters,
  taskId: number,
  direction: "previous" | "next",
): Promise<number | null> {
  const key = keyOf(projectId, filters);
  if (state.key !== key) reset(projectId, filters);
  for (let pages = 0; ; pages++) {
    const last = state.items.at(-1);
    const passed = last !== undefined && last.task_id <= taskId;
    if (direction === "next") {
      const after = state.items.find((item) => item.task_id < taskId);
      if (after) return after.task_id;
    } else if (passed || !queueHasMore()) {
      const before = state.items.filter((item) => item.task_id > taskId).at(-1);
      return before ? before.task_id : null;
    }
    if (!queueHasMore() || pages >= MAX_PAGES_PER_STEP) return null;
    await fetchPage();
    if (state.key !== key) return null; // the list was started afresh meanwhile
  }
}

export function rememberOpened(taskId: number): void {
  opened = taskId;
}

/** The task last opened (once: the next call answers null). */
export function takeOpened(): number | null {
  const taskId = opened;
  opened = null;
  return taskId;
}
