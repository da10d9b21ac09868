// What apply prints while it runs. On a terminal: one live line, rewritten in place
// ("[412/1551] 12.3 s  Domain/web-0412 create"), with failures and waits printed above it as
// they happen. Otherwise (a log, CI): one line per change as it finishes, with its duration.
import type { ExecutorEvent } from '../reconciler/executor.js';
import { formatResult } from '../reconciler/render/apply.js';

export interface ProgressOptions {
  /** Rewrite one line in place (stdout is a terminal). */
  live: boolean;
  /** Changes that will do something (no-ops are not counted). */
  total: number;
  now?: () => number;
}

export interface ApplyProgress {
  event(e: ExecutorEvent): void;
  /** Clears the live line: what follows starts on a clean line. */
  finish(): void;
}

/** Redraws of the live line at most this often: 1,551 changes must not mean 1,551 redraws a second. */
const REDRAW_MS = 100;
const CLEAR_LINE = '\r\x1b[2K';

export function applyProgress(write: (text: string) => void, options: ProgressOptions): ApplyProgress {
  const now = options.now ?? (() => performance.now());
  const started = now();
  let done = 0;
  let current = '';
  let lastDraw = -Infinity;
  let drawn = false;

  const line = () => `[${done}/${options.total}] ${((now() - started) / 1000).toFixed(1)} s  ${current}`;
  const draw = (force: boolean) => {
    if (!options.live || (!force && now() - lastDraw < REDRAW_MS)) return;
    write(`${CLEAR_LINE}${line()}`);
    lastDraw = now();
    drawn = true;
  };
  /** A whole line of its own: above the live line, which is drawn again below it. */
  const print = (text: string) => {
    write(options.live && drawn ? `${CLEAR_LINE}${text}\n` : `${text}\n`);
    drawn = false;
    draw(true);
  };

  return {
    event(e) {
      if (e.type === 'start' && e.change.action !== 'no-op') {
        current = `${e.change.key} ${e.change.action}`;
        draw(false);
      } else if (e.type === 'progress') {
        print(`${e.change.key}: ${e.message}`);
      } else if (e.type === 'done' && e.result.outcome !== 'unchanged') {
        done++;
        const seconds = `(${(e.result.durationMs / 1000).toFixed(2)} s)`;
        // On a terminal only what needs attention gets a line; the count says the rest.
        if (!options.live || e.result.outcome !== 'succeeded') print(`${formatResult(e.result)} ${seconds}`);
        else draw(false);
      }
    },
    finish() {
      if (options.live && drawn) write(CLEAR_LINE);
      drawn = false;
    },
  };
}
