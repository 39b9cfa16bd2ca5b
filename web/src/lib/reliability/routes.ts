/**
 * The annotator's own reliability page (`/projects/3/my-quality`): its path, parsed for the hash router
 * (router.svelte.ts delegates to `parseReliability`), and its title. The managers' page of every
 * annotator's figures is a project page of the manager's (`/projects/3/quality`, lib/manager/routes.ts).
 */
import { t } from "../i18n/index.svelte";

export type ReliabilityPage = { page: "my_quality"; projectId: number };

const ID = "([1-9][0-9]{0,17})";

export function myQualityPath(projectId: number): string {
  return `/projects/${projectId}/my-quality`;
}

export function parseReliability(path: string): ReliabilityPage | null {
  const mine = new RegExp(`^/projects/${ID}/my-quality$`).exec(path);
  if (mine?.[1]) return { page: "my_quality", projectId: Number(mine[1]) };
  return null;
}

export function reliabilityTitle(_page: ReliabilityPage): string {
  return t("reliability.mine.title");
}
