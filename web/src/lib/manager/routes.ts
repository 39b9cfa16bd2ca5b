/**
 * The manager's screens (project editor, import, members, dashboard, export): their paths, parsed for
 * the hash router (router.svelte.ts delegates to `parseManager`), and their titles.
 */
import { t } from "../i18n/index.svelte";
import { canManage, canViewDashboard } from "./roles";

export type ProjectPage = "settings" | "import" | "dashboard" | "export" | "quality" | "gold" | "routing";

export type ManagerPage =
  | { page: "new_project"; workspaceId: number }
  | { page: "members"; workspaceId: number }
  | { page: ProjectPage; projectId: number };

const ID = "([1-9][0-9]{0,17})";
/** The project pages, in tab order. */
export const PROJECT_PAGES: readonly ProjectPage[] = [
  "settings",
  "import",
  "dashboard",
  "export",
  "quality",
  "gold",
  "routing",
];
/** Pages for the roles that see the activity dashboard (VIEW_DASHBOARD); the others are for managers. */
const DASHBOARD_PAGES: ReadonlySet<ProjectPage> = new Set<ProjectPage>(["dashboard", "quality", "routing"]);

/** Whether `role` may open a project page (a mirror of core/permissions.py; the API checks every call). */
export function projectPageAllowed(role: string, page: ProjectPage): boolean {
  return DASHBOARD_PAGES.has(page) ? canViewDashboard(role) : canManage(role);
}

export function parseManager(path: string): ManagerPage | null {
  const workspace = new RegExp(`^/workspaces/${ID}/(projects/new|members)$`).exec(path);
  if (workspace?.[1] && workspace[2]) {
    const workspaceId = Number(workspace[1]);
    return workspace[2] === "members" ? { page: "members", workspaceId } : { page: "new_project", workspaceId };
  }
  const project = new RegExp(`^/projects/${ID}/([a-z]+)$`).exec(path);
  const page = PROJECT_PAGES.find((p) => p === project?.[2]);
  if (project?.[1] && page) return { page, projectId: Number(project[1]) };
  return null;
}

export function projectPath(projectId: number, page: ProjectPage): string {
  return `/projects/${projectId}/${page}`;
}

export function membersPath(workspaceId: number): string {
  return `/workspaces/${workspaceId}/members`;
}

export function newProjectPath(workspaceId: number): string {
  return `/workspaces/${workspaceId}/projects/new`;
}

/** The tab name of a project page (also its title). */
export function projectPageName(page: ProjectPage): string {
  switch (page) {
    case "settings":
      return t("manager.nav.settings");
    case "import":
      return t("manager.nav.import");
    case "dashboard":
      return t("manager.nav.dashboard");
    case "export":
      return t("manager.nav.export");
    case "quality":
      return t("reliability.nav.quality");
    case "gold":
      return t("qa.nav.gold");
    case "routing":
      return t("qa.nav.routing");
  }
}

export function managerTitle(page: ManagerPage): string {
  switch (page.page) {
    case "new_project":
      return t("manager.editor.new_title");
    case "members":
      return t("manager.members.title");
    default:
      return projectPageName(page.page);
  }
}
