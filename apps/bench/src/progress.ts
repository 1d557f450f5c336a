// A progress bar on stderr (cli-progress) when stderr is a terminal; silent otherwise.
import { SingleBar } from 'cli-progress';
import type { AppIO } from './io';

export class ProgressReporter {
  private bar: SingleBar | undefined;
  constructor(
    private readonly io: AppIO,
    private readonly enabled: boolean,
  ) {}

  start(total: number, label: string): void {
    if (!this.enabled || !this.io.interactive) return;
    this.bar = new SingleBar({
      format: ' {bar} {percentage}% | {value}/{total} | {label}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
      etaBuffer: 50,
    });
    this.bar.start(total, 0, { label });
  }

  update(value: number, label?: string): void {
    this.bar?.update(value, label === undefined ? undefined : { label });
  }

  increment(label?: string): void {
    this.bar?.increment(1, label === undefined ? undefined : { label });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
