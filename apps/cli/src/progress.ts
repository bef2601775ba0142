/** Something a terminal can draw on: stderr when it is a TTY (nothing is drawn otherwise). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A bar of `width` cells for a fraction in [0, 1]. */
export function bar(fraction: number, width = 24): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(clamped * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(clamped * 100).toFixed(0).padStart(3)} %`;
}

/**
 * A one-line spinner or progress bar on stderr while something long runs (a dataset build, a
 * report, a rollout followed to its end). Draws only on a TTY, so pipes and logs stay clean.
 */
export class Progress {
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private text = '';
  private readonly enabled: boolean;

  constructor(
    private readonly stream: ProgressStream,
    private label: string,
  ) {
    this.enabled = stream.isTTY === true;
    if (this.enabled) {
      this.timer = setInterval(() => this.draw(), 100);
      this.timer.unref();
      this.draw();
    }
  }

  /** A new label, and with a fraction a bar. */
  update(label: string, fraction?: number): void {
    this.label = label;
    this.text = fraction === undefined ? '' : bar(fraction);
    this.draw();
  }

  /** Prints a line above the spinner (it keeps spinning below it). */
  log(line: string): void {
    if (!this.enabled) return;
    this.clear();
    this.stream.write(`${line}\n`);
    this.draw();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private draw(): void {
    if (!this.enabled || !this.timer) return;
    this.frame = (this.frame + 1) % FRAMES.length;
    const line = `${FRAMES[this.frame]} ${this.label}${this.text ? ` ${this.text}` : ''}`;
    const max = (this.stream.columns ?? 80) - 1;
    this.stream.write(`\r\x1b[2K${line.length > max ? line.slice(0, max) : line}`);
  }

  private clear(): void {
    if (this.enabled) this.stream.write('\r\x1b[2K');
  }
}
