/**
 * Which screens a workspace role may open: a mirror of core/permissions.py (MATRIX) used only to hide
 * links and explain refusals; the API checks every call.
 */
import { t, type MessageKey } from "../i18n/index.svelte";

export const ROLES = ["admin", "manager", "reviewer", "annotator", "viewer"] as const;
export type Role = (typeof ROLES)[number];

const ROLE_KEYS: Record<Role, MessageKey> = {
  admin: "roles.admin",
  manager: "roles.manager",
  reviewer: "roles.reviewer",
  annotator: "roles.annotator",
  viewer: "roles.viewer",
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function roleName(role: string): string {
  return isRole(role) ? t(ROLE_KEYS[role]) : role;
}

/** CREATE_PROJECT, EDIT_PROJECT, IMPORT_TASKS, EXPORT and MANAGE_MEMBERS: admins and managers. */
export function canManage(role: string): boolean {
  return role === "admin" || role === "manager";
}

/** VIEW_DASHBOARD: admins, managers and reviewers. */
export function canViewDashboard(role: string): boolean {
  return canManage(role) || role === "reviewer";
}

/** ADJUDICATE (the adjudication queue, deciding and reopening final labels): admins, managers and reviewers. */
export function canAdjudicate(role: string): boolean {
  return role === "admin" || role === "manager" || role === "reviewer";
}

/** REVEAL_PII (a task's original data, before masking; every call audited): admins only. */
export function canRevealPii(role: string): boolean {
  return role === "admin";
}
