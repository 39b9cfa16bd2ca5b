/** Numbers, dates, durations and sizes in the UI language (the manager's screens). */
import { language } from "../i18n/index.svelte";

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeStyle: "short" }).format(date);
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language(), { timeStyle: "medium" }).format(date);
}

/** The local hour an hourly bucket starts at: "3 PM", "15 h". */
export function formatHour(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language(), { hour: "numeric" }).format(date);
}

/** A span of milliseconds in seconds (or minutes past two minutes), e.g. "2.4 sec", "2,4 s". */
export function formatDuration(ms: number): string {
  const minutes = ms >= 120_000;
  return new Intl.NumberFormat(language(), {
    style: "unit",
    unit: minutes ? "minute" : "second",
    unitDisplay: "short",
    maximumFractionDigits: 1,
  }).format(minutes ? ms / 60_000 : ms / 1000);
}

export function formatPercent(share: number): string {
  return new Intl.NumberFormat(language(), { style: "percent", maximumFractionDigits: 1 }).format(share);
}

/** A statistic such as kappa or alpha: up to three decimals. */
export function formatFigure(value: number): string {
  return new Intl.NumberFormat(language(), { maximumFractionDigits: 3, minimumFractionDigits: 2 }).format(value);
}

export function formatBytes(bytes: number): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(language(), {
    style: "unit",
    unit: units[unit],
    unitDisplay: "short",
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}
