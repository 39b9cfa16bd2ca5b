/**
 * A project's PII policy (`project.pii`, GET/PATCH /projects/{id}) as the editor's form holds it, what to
 * send of it, and the names and examples the screens show (services/pii.py and core/pii/ hold the rules).
 *
 * The API reads `pii` as null while no policy was ever set (and for annotators and viewers), else as
 * `{enabled, entities}`: a policy turned off keeps its map, so that turning it on again restores it. Sending
 * `entities` replaces the whole map; a type left out of it is not masked. A change applies to the imports
 * that follow, never to tasks already imported.
 *
 * examples.json holds what each strategy makes of one sample value per type; tests/e2e/test_pii.py checks
 * it against the masking itself (consenso.core.pii.mask_text), so that the screen never shows an example
 * the server would not produce.
 */
import type { Schemas } from "../api/client";
import type { MessageKey } from "../i18n/index.svelte";
import EXAMPLES from "./examples.json";

export type PiiPolicy = Schemas["PiiPolicyRead"];
export type PiiOriginal = Schemas["PiiOriginalRead"];

/** The kinds of personal data the server detects (core/pii/entities.py EntityType), in the order shown. */
export const ENTITY_TYPES = ["email", "phone", "card", "iban", "us_ssn", "co_cedula", "co_nit"] as const;
/** The masking strategies (core/pii/policy.py Strategy), in the order offered. */
export const STRATEGIES = ["tag", "partial", "pseudonym", "remove"] as const;

export type EntityType = (typeof ENTITY_TYPES)[number];
export type Strategy = (typeof STRATEGIES)[number];
/** A type's choice in the form: a strategy, or "" for "not masked". */
export type Choice = Strategy | "";

const ENTITY_KEYS: Record<EntityType, MessageKey> = {
  email: "privacy.entities.email",
  phone: "privacy.entities.phone",
  card: "privacy.entities.card",
  iban: "privacy.entities.iban",
  us_ssn: "privacy.entities.us_ssn",
  co_cedula: "privacy.entities.co_cedula",
  co_nit: "privacy.entities.co_nit",
};

const STRATEGY_KEYS: Record<Strategy, MessageKey> = {
  remove: "privacy.strategies.remove",
  tag: "privacy.strategies.tag",
  partial: "privacy.strategies.partial",
  pseudonym: "privacy.strategies.pseudonym",
};

export function isEntityType(value: unknown): value is EntityType {
  return typeof value === "string" && (ENTITY_TYPES as readonly string[]).includes(value);
}

export function isStrategy(value: unknown): value is Strategy {
  return typeof value === "string" && (STRATEGIES as readonly string[]).includes(value);
}

/** The message key naming a type, or null for a type this screen does not know (shown as is). */
export function entityKey(type: string): MessageKey | null {
  return isEntityType(type) ? ENTITY_KEYS[type] : null;
}

/** The message key naming a strategy, or null for one this screen does not know (shown as is). */
export function strategyKey(strategy: string): MessageKey | null {
  return isStrategy(strategy) ? STRATEGY_KEYS[strategy] : null;
}

/** A sample value of `type` and what `strategy` makes of it ("" for `remove`). */
export function example(type: EntityType, strategy: Strategy): { sample: string; masked: string } {
  const row = EXAMPLES[type];
  return { sample: row.sample, masked: row[strategy] };
}

/** The form. */
export interface PiiDraft {
  enabled: boolean;
  entities: Record<EntityType, Choice>;
}

/** The server's defaults (core/pii/policy.py default_entities): every type tagged, cards partial. */
function defaultEntities(): Record<EntityType, Choice> {
  return { email: "tag", phone: "tag", card: "partial", iban: "tag", us_ssn: "tag", co_cedula: "tag", co_nit: "tag" };
}

/** The form for a policy as read (null: none yet, masking off, the defaults ready to turn on). */
export function piiDraftOf(policy: PiiPolicy | null | undefined): PiiDraft {
  if (!policy) return { enabled: false, entities: defaultEntities() };
  const entities = Object.fromEntries(ENTITY_TYPES.map((type) => [type, ""])) as Record<EntityType, Choice>;
  for (const [type, strategy] of Object.entries(policy.entities)) {
    if (isEntityType(type) && isStrategy(strategy)) entities[type] = strategy;
  }
  return { enabled: policy.enabled, entities };
}

function masked(draft: PiiDraft): Record<string, Strategy> {
  const out: Record<string, Strategy> = {};
  for (const type of ENTITY_TYPES) {
    const choice = draft.entities[type];
    if (choice) out[type] = choice;
  }
  return out;
}

/** Masking turned on with every type left unmasked: nothing would be masked (the form refuses it). */
export function masksNothing(draft: PiiDraft): boolean {
  return draft.enabled && Object.keys(masked(draft)).length === 0;
}

/**
 * What to send as `pii` (null: nothing changed). On: the whole map, with the types left unmasked out of
 * it; off: only `{"enabled": false}`, so that the map in force is kept for the next time.
 */
export function piiChanges(draft: PiiDraft, saved: PiiPolicy | null | undefined): Record<string, unknown> | null {
  if (!draft.enabled) return saved?.enabled ? { enabled: false } : null;
  const entities = masked(draft);
  if (saved?.enabled) {
    const before = Object.entries(saved.entities);
    const same =
      before.length === Object.keys(entities).length &&
      before.every(([type, strategy]) => entities[type] === strategy);
    if (same) return null;
  }
  return { enabled: true, entities };
}

/** The error codes of the API's refusal of a PII policy (shown in the PII section). */
export const PII_ERROR_CODES: ReadonlySet<string> = new Set([
  "pii_policy_invalid",
  "pii_policy_unknown",
  "pii_unknown_entity",
  "pii_unknown_strategy",
]);

/** Where a finding is: `data/text`, `meta/source/0` (its `in` and its JSON pointer). */
export function findingField(finding: Record<string, unknown>): string {
  const where = typeof finding["in"] === "string" ? finding["in"] : "data";
  const path = typeof finding["path"] === "string" ? finding["path"] : "";
  return `${where}${path}`;
}
