/**
 * Spans of a `spans` control: `{start, end, label}` with `[start, end)` offsets into the task's text field.
 *
 * The API counts offsets as Python does (code points: src/consenso/core/schema/__init__.py), the browser
 * as UTF-16 code units: outside the Basic Multilingual Plane (emoji, some CJK) the two differ, so every
 * offset crosses this boundary through `toCodePoints` / `toUtf16`.
 */

export interface Span {
  start: number;
  end: number;
  label: string;
}

export function isSpan(value: unknown): value is Span {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const raw = value as Record<string, unknown>;
  return (
    Number.isInteger(raw["start"]) &&
    Number.isInteger(raw["end"]) &&
    typeof raw["label"] === "string" &&
    (raw["start"] as number) >= 0 &&
    (raw["end"] as number) > (raw["start"] as number)
  );
}

/** A UTF-16 offset of `text` as a code-point offset (an offset inside a surrogate pair rounds down). */
export function toCodePoints(text: string, utf16: number): number {
  let points = 0;
  for (let i = 0; i < utf16 && i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // a high surrogate followed by a low one is one code point: count it at its low half
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        if (i + 1 >= utf16) break;
        i++;
      }
    }
    points++;
  }
  return points;
}

/** A code-point offset of `text` as a UTF-16 offset. */
export function toUtf16(text: string, points: number): number {
  let units = 0;
  let count = 0;
  for (const char of text) {
    if (count >= points) break;
    units += char.length;
    count++;
  }
  return units;
}

/** The characters a span covers (code-point offsets). */
export function spanText(text: string, span: { start: number; end: number }): string {
  return text.slice(toUtf16(text, span.start), toUtf16(text, span.end));
}

/** `[start, end)` (UTF-16) without the white space at either edge; null when nothing is left. */
export function trimRange(text: string, start: number, end: number): { start: number; end: number } | null {
  let from = Math.max(0, Math.min(start, end));
  let to = Math.min(text.length, Math.max(start, end));
  while (from < to && /\s/.test(text.charAt(from))) from++;
  while (to > from && /\s/.test(text.charAt(to - 1))) to--;
  return from < to ? { start: from, end: to } : null;
}

export function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

export function sameSpan(a: Span, b: Span): boolean {
  return a.start === b.start && a.end === b.end && a.label === b.label;
}

/** Spans in reading order (then the longer first), as they are listed and sent. */
export function sortSpans(spans: Span[]): Span[] {
  return [...spans].sort((a, b) => a.start - b.start || b.end - a.end || a.label.localeCompare(b.label));
}

/** The spans covering the code-point offset `at` (a caret between two characters covers the one after it). */
export function spansAt(spans: Span[], at: number): Span[] {
  return spans.filter((span) => span.start <= at && at < span.end);
}
