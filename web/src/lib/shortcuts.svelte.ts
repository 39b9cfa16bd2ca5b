/**
 * The shortcut cheat sheet: the app's own keys plus those the current page adds (the annotator adds
 * its label keys). Label hotkeys are single characters typed without Ctrl, Alt or Meta, so the app's
 * commands use Alt or Ctrl and never collide with them; "?" opens the sheet unless a label claims it.
 */
export interface ShortcutRow {
  keys: string[];
  /** Already in the UI language (a label's display name, or a translated action). */
  action: string;
}

const state = $state<{ open: boolean; rows: ShortcutRow[] }>({ open: false, rows: [] });

export function helpOpen(): boolean {
  return state.open;
}

export function setHelpOpen(open: boolean): void {
  state.open = open;
}

export function pageShortcuts(): ShortcutRow[] {
  return state.rows;
}

export function setPageShortcuts(rows: ShortcutRow[]): void {
  state.rows = rows;
}

/** True when typing in `target` must not be taken as a shortcut. */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) {
    return true;
  }
  if (target instanceof HTMLInputElement) {
    return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(target.type);
  }
  return false;
}

/** True when Enter on `target` already means something (activating a button or a link). */
export function isActivatable(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLButtonElement ||
    target instanceof HTMLAnchorElement ||
    (target instanceof HTMLElement && target.tagName === "SUMMARY") ||
    (target instanceof HTMLInputElement && ["button", "submit", "reset"].includes(target.type))
  );
}
