/**
 * The routing summary (GET /projects/{id}/routing): per combination of task requirements, how many
 * tasks and open tasks there are and how many annotators qualify. Rows arrive unstaffed first.
 */
import type { Schemas } from "../api/client";

export type Routing = Schemas["RoutingRead"];
export type RoutingRow = Schemas["RoutingRowRead"];
export type Requirements = Schemas["RequirementsRead"];

/** Whether a combination asks for nothing (open to every annotator). */
export function openToEveryone(requirements: Requirements): boolean {
  return requirements.language === null && requirements.dialect === null && requirements.domain === null;
}

/** The language a combination implies: its own, else the one its dialect tag starts with ("es-CO" → "es"). */
export function impliedLanguage(requirements: Requirements): string | null {
  if (requirements.language) return requirements.language;
  const dialect = requirements.dialect;
  return dialect ? (dialect.split("-")[0] ?? null) : null;
}

/** A stable key of a row, for lists and test ids: "es/es-CO/medical", "*" for "anything". */
export function rowKey(requirements: Requirements): string {
  return [requirements.language, requirements.dialect, requirements.domain].map((part) => part ?? "*").join("/");
}
