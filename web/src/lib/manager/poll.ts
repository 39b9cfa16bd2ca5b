/**
 * Run `load` now and again every `intervalMs` while the page is visible: the timer stops when the tab is
 * hidden and `load` runs again as soon as it is shown. Runs never overlap (the next one is scheduled when
 * the previous one has finished). Returns the function that stops it all.
 */
export function pollWhileVisible(load: () => Promise<void>, intervalMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let stopped = false;

  const hidden = (): boolean => document.visibilityState === "hidden";

  function clear(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  async function run(): Promise<void> {
    clear();
    if (stopped || running || hidden()) return;
    running = true;
    try {
      await load();
    } finally {
      running = false;
      if (!stopped && !hidden()) timer = setTimeout(() => void run(), intervalMs);
    }
  }

  function onVisibility(): void {
    if (hidden()) clear();
    else void run();
  }

  document.addEventListener("visibilitychange", onVisibility);
  void run();
  return () => {
    stopped = true;
    clear();
    document.removeEventListener("visibilitychange", onVisibility);
  };
}
