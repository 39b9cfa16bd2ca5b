/**
 * Task import with upload progress. openapi-fetch (like fetch) reports no upload progress, so the import
 * goes through XMLHttpRequest here, with what the API client adds to every request: the session cookie,
 * `X-CSRF-Token` and `Accept-Language` (the API's messages come back in the UI language). Failures
 * become the same `ApiError` as every other call.
 */
import { currentCsrfToken, reportUnauthenticated, type Schemas } from "../api/client";
import { ApiError, hasErrorShape } from "../api/errors";
import { language, t } from "../i18n/index.svelte";

export type ImportRead = Schemas["ImportRead"];
export type ImportFormat = "json" | "jsonl" | "csv";

/** The Content-Type the API reads each format from (services/task_import.py FORMATS). */
export const CONTENT_TYPES: Record<ImportFormat, string> = {
  json: "application/json",
  jsonl: "application/x-ndjson",
  csv: "text/csv",
};

/** The format a file name implies, or null when its extension says nothing. */
export function formatOfFile(name: string): ImportFormat | null {
  const extension = name.toLowerCase().split(".").pop() ?? "";
  if (extension === "json") return "json";
  if (extension === "jsonl" || extension === "ndjson") return "jsonl";
  if (extension === "csv") return "csv";
  return null;
}

/** Where an import error points: `line` (JSONL, CSV) or `item` (JSON array), the field and a reason code. */
export interface ImportErrorDetails {
  line: number | null;
  item: number | null;
  field: string | null;
  reason: string | null;
}

export function importErrorDetails(details: unknown): ImportErrorDetails | null {
  if (typeof details !== "object" || details === null || Array.isArray(details)) return null;
  const raw = details as Record<string, unknown>;
  const int = (v: unknown): number | null => (typeof v === "number" && Number.isInteger(v) ? v : null);
  const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
  const found = { line: int(raw["line"]), item: int(raw["item"]), field: str(raw["field"]), reason: str(raw["reason"]) };
  return found.line === null && found.item === null ? null : found;
}

function isImportRead(body: unknown): body is ImportRead {
  if (typeof body !== "object" || body === null) return false;
  const raw = body as Record<string, unknown>;
  return ["received", "created", "duplicates", "task_count"].every((k) => typeof raw[k] === "number");
}

export interface UploadCallbacks {
  /** Bytes sent so far, of `total`. */
  onProgress: (sent: number, total: number) => void;
  /** Every byte is sent: the server is now checking and storing. */
  onSent: () => void;
}

/** POST `file` to the project's tasks; resolves with the import's counts, rejects with an `ApiError`. */
export function uploadTasks(
  projectId: number,
  file: Blob,
  format: ImportFormat,
  callbacks: UploadCallbacks,
  signal?: AbortSignal,
): Promise<ImportRead> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/projects/${projectId}/tasks`);
    xhr.withCredentials = true;
    xhr.responseType = "text";
    xhr.setRequestHeader("Content-Type", CONTENT_TYPES[format]);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Accept-Language", language());
    const token = currentCsrfToken();
    if (token) xhr.setRequestHeader("X-CSRF-Token", token);

    xhr.upload.onprogress = (event) => callbacks.onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.upload.onload = () => callbacks.onSent();
    xhr.onerror = () => reject(new ApiError(0, "network_error", t("errors.network")));
    xhr.onabort = () => reject(new ApiError(0, "aborted", t("manager.import.cancelled")));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300 && isImportRead(body)) {
        resolve(body);
        return;
      }
      if (xhr.status === 401) reportUnauthenticated();
      if (hasErrorShape(body)) {
        reject(new ApiError(xhr.status, body.error.code, body.error.message, body.error.details ?? null));
      } else {
        reject(new ApiError(xhr.status, "unexpected_response", t("errors.unexpected", { status: xhr.status })));
      }
    };
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
