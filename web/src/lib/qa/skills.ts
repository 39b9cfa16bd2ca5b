/**
 * A member's skills (routing by language and domain: PATCH /workspaces/{id}/members/{user_id} `skills`)
 * as the members page edits them, and back. The server checks them (400 `skill_invalid` naming the
 * skill); the form only trims what was typed and leaves out rows left wholly empty.
 */
import type { Schemas } from "../api/client";

export type Skills = Schemas["SkillsRead"];
export type LanguageSkill = Schemas["LanguageSkillRead"];

export interface LanguageDraft {
  /** A stable key for the row while it is edited. */
  key: number;
  code: string;
  dialect: string;
  level: string;
}

export interface SkillsDraft {
  languages: LanguageDraft[];
  /** Domains as typed: separated by commas. */
  domains: string;
}

let nextKey = 1;

export function newLanguage(): LanguageDraft {
  return { key: nextKey++, code: "", dialect: "", level: "native" };
}

export function skillsDraft(skills: Skills | null): SkillsDraft {
  return {
    languages: (skills?.languages ?? []).map((language) => ({
      key: nextKey++,
      code: language.code,
      dialect: language.dialect ?? "",
      level: language.level,
    })),
    domains: (skills?.domains ?? []).join(", "),
  };
}

/** The body's `skills`: what the form says, trimmed; `{languages: [], domains: []}` clears them. */
export function skillsBody(draft: SkillsDraft): {
  languages: { code: string; dialect: string | null; level: string }[];
  domains: string[];
} {
  const languages = draft.languages
    .map((row) => ({ code: row.code.trim(), dialect: row.dialect.trim() || null, level: row.level }))
    .filter((row) => row.code !== "" || row.dialect !== null);
  const domains = [
    ...new Set(
      draft.domains
        .split(",")
        .map((domain) => domain.trim())
        .filter(Boolean),
    ),
  ];
  return { languages, domains };
}

export function hasSkills(skills: Skills | null): boolean {
  return !!skills && (skills.languages.length > 0 || skills.domains.length > 0);
}
