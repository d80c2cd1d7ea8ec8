/** Which checks are running, on one stderr line that rewrites itself; only on a terminal. */
import type { ProgressEvent, ProgressListener } from '../probes/evidence.js';

export function terminalProgress(stream: NodeJS.WriteStream, label: string): { listener: ProgressListener; done: () => void } {
  const running = new Set<string>();
  let finished = 0;
  const draw = (): void => {
    const names = [...running].join(', ');
    const line = `${label}: ${finished} done${names ? `, running ${names}` : ''}`;
    // A terminal that reports no size (a bare pty) gets the usual 80 columns.
    stream.write(`\r\x1b[K${line.slice(0, Math.max(20, (stream.columns || 80) - 1))}`);
  };
  return {
    listener: (event: ProgressEvent) => {
      if (event.type === 'start') running.add(event.id);
      else {
        running.delete(event.id);
        finished++;
      }
      draw();
    },
    done: () => stream.write('\r\x1b[K'),
  };
}
