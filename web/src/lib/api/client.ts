/**
 * The one client of the API v1, typed from docs/openapi.json (`npm run generate` writes schema.d.ts).
 *
 * Browser sessions: the login answer sets an HttpOnly session cookie and gives a CSRF token, which every
 * write echoes in `X-CSRF-Token` (after a reload it is read back from the `consenso_csrf` cookie, which
 * the server leaves readable for this purpose). Every request says the UI language in `Accept-Language`,
 * so that the API's error messages come back in it.
 */
import createClient, { type Middleware } from "openapi-fetch";

import { language } from "../i18n/index.svelte";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type UserRead = Schemas["UserRead"];
export type WorkspaceRead = Schemas["WorkspaceRead"];
export type ProjectRead = Schemas["ProjectRead"];
export type LeasedTaskRead = Schemas["LeasedTaskRead"];

const CSRF_COOKIE = "consenso_csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

let csrfToken: string | null = null;
let onUnauthenticated: () => void = () => {};

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the API answers 401 to anything but the login itself (the session ended). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

/** The CSRF token for a write sent outside this client (an upload with progress: lib/manager/upload.ts). */
export function currentCsrfToken(): string | null {
  return csrfToken ?? readCookie(CSRF_COOKIE);
}

/** Tell the session that a request sent outside this client was answered 401. */
export function reportUnauthenticated(): void {
  onUnauthenticated();
}

const sessionHeaders: Middleware = {
  onRequest({ request }) {
    request.headers.set("Accept-Language", language());
    if (!SAFE_METHODS.has(request.method)) {
      const token = csrfToken ?? readCookie(CSRF_COOKIE);
      if (token) request.headers.set("X-CSRF-Token", token);
    }
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url).pathname.endsWith("/auth/login")) {
      onUnauthenticated();
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(sessionHeaders);

/**
 * A key for `Idempotency-Key`: random, made once per task shown, so that a retried submission is
 * recognised. `crypto.getRandomValues` works on plain-HTTP deployments too (randomUUID does not).
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
