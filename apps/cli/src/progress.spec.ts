import { bar, Progress } from './progress';

describe('Progress', () => {
  it('draws a spinner and a bar on a terminal, and clears its line when stopped', () => {
    const written: string[] = [];
    const progress = new Progress(
      { isTTY: true, columns: 60, write: (text: string) => written.push(text) },
      'building',
    );
    progress.update('downloading train.jsonl', 0.5);
    progress.stop();
    expect(written[0]!.startsWith('\r\x1b[2K')).toBe(true);
    expect(written[0]!.endsWith(' building')).toBe(true);
    expect(written).toContain(`\r\x1b[2K${written[1]!.slice(5, 6)} downloading train.jsonl ${bar(0.5)}`);
    expect(written.at(-1)).toBe('\r\x1b[2K');
  });

  it('draws nothing when stderr is not a terminal (pipes and logs stay clean)', () => {
    const written: string[] = [];
    const progress = new Progress({ write: (text: string) => written.push(text) }, 'building');
    progress.update('still building', 0.2);
    progress.log('a line');
    progress.stop();
    expect(written).toEqual([]);
  });

  it('cuts a line to the terminal width', () => {
    const written: string[] = [];
    const progress = new Progress(
      { isTTY: true, columns: 20, write: (text: string) => written.push(text) },
      'x'.repeat(50),
    );
    progress.stop();
    expect(written[0]!.replace('\r\x1b[2K', '')).toHaveLength(19);
  });
});
