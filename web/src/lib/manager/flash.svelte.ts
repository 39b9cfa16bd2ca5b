/** A one-time message carried to the next screen (e.g. "Project created" shown on its import page). */
const state = $state<{ message: string | null }>({ message: null });

export function setFlash(message: string): void {
  state.message = message;
}

/** The message, once: reading it clears it. */
export function takeFlash(): string | null {
  const message = state.message;
  state.message = null;
  return message;
}
