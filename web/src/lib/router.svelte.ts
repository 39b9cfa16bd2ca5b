/**
 * Hash routing (`/#/projects/3/annotate`): the server serves one page at `/` and never needs to know
 * the app's paths. Three routes do not call for a router library.
 */
import { parseManager, type ManagerPage } from "./manager/routes";
import { parseReview, type ReviewPage } from "./review/routes";
import { parseReliability, type ReliabilityPage } from "./reliability/routes";
import { parseAdjudication, type AdjudicationPage } from "./adjudication/routes";

export type Route =
  | { name: "home" }
  | { name: "login" }
  | { name: "account" }
  | { name: "annotate"; projectId: number }
  | { name: "manager"; page: ManagerPage }
  | { name: "review"; page: ReviewPage }
  | { name: "reliability"; page: ReliabilityPage }
  | { name: "adjudication"; page: AdjudicationPage }
  | { name: "not_found"; path: string };

function currentPath(): string {
  const hash = window.location.hash.replace(/^#/, "");
  return hash.startsWith("/") ? hash : `/${hash}`;
}

export function parse(path: string): Route {
  if (path === "/" || path === "") return { name: "home" };
  if (path === "/login") return { name: "login" };
  if (path === "/account/password") return { name: "account" };
  const annotate = /^\/projects\/([1-9][0-9]{0,17})\/annotate$/.exec(path);
  if (annotate?.[1]) return { name: "annotate", projectId: Number(annotate[1]) };
  const review = parseReview(path);
  if (review) return { name: "review", page: review };
  const reliability = parseReliability(path);
  if (reliability) return { name: "reliability", page: reliability };
  const adjudication = parseAdjudication(path);
  if (adjudication) return { name: "adjudication", page: adjudication };
  const manager = parseManager(path);
  if (manager) return { name: "manager", page: manager };
  return { name: "not_found", path };
}

const state = $state<{ path: string }>({ path: currentPath() });

window.addEventListener("hashchange", () => {
  state.path = currentPath();
});

/**
 * The route of the address as it is this instant, not as last announced: a link click changes the address
 * at once but its `hashchange` arrives a task later, and a handler that builds the next address from the
 * current one must not build it from the previous page's.
 */
export function liveRoute(): Route {
  return parse(currentPath());
}

/** The current route (reactive). */
export function route(): Route {
  return parse(state.path);
}

export function href(path: string): string {
  return `#${path}`;
}

export function navigate(path: string): void {
  if (currentPath() === path) return;
  window.location.hash = path;
}
