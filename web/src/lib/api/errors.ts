/**
 * The one error helper: every failed API call becomes an `ApiError` whose `message` is the API's own
 * `error.message` (already in the UI language, from `Accept-Language`), or a message of ours when the
 * server could not be reached or did not answer in the API's error shape.
 */
import { t } from "../i18n/index.svelte";

export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

interface ErrorShape {
  error: { code: string; message: string; details?: unknown };
}

export function hasErrorShape(body: unknown): body is ErrorShape {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { message?: unknown }).message === "string"
  );
}

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Await an openapi-fetch call: its data, or an `ApiError`. `allowEmpty` accepts a body-less success
 * (204), returned as `undefined`.
 */
export async function call<T>(request: Promise<Outcome<T>>): Promise<T>;
export async function call<T>(request: Promise<Outcome<T>>, allowEmpty: true): Promise<T | undefined>;
export async function call<T>(request: Promise<Outcome<T>>, allowEmpty = false): Promise<T | undefined> {
  let outcome: Outcome<T>;
  try {
    outcome = await request;
  } catch (cause) {
    if (cause instanceof ApiError) throw cause;
    throw new ApiError(0, "network_error", t("errors.network"));
  }
  const { data, error, response } = outcome;
  if (response.ok) {
    if (data === undefined && !allowEmpty) {
      throw new ApiError(response.status, "unexpected_response", t("errors.unexpected", { status: response.status }));
    }
    return data;
  }
  if (hasErrorShape(error)) {
    throw new ApiError(response.status, error.error.code, error.error.message, error.error.details ?? null);
  }
  throw new ApiError(response.status, "unexpected_response", t("errors.unexpected", { status: response.status }));
}

/** What to show the user for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return t("errors.unknown");
}
