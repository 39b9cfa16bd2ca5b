/**
 * Keyboard moves in a list of links (the review and adjudication queues): ↑/↓ one row, Home/End the ends.
 * Returns the row to focus, or undefined when the key is not a move (or a modifier is held).
 */
export function listKeyTarget(event: KeyboardEvent, active: number, length: number): number | undefined {
  if (event.altKey || event.ctrlKey || event.metaKey) return undefined;
  const moves: Record<string, number> = {
    ArrowDown: active + 1,
    ArrowUp: active - 1,
    Home: 0,
    End: length - 1,
  };
  return moves[event.key];
}
