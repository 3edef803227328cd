// A runtime chart and a memory chart drawn from one view, rebuilt in the new colours when the
// theme changes: what the run charts and the growth charts share.
import { readTheme, type ThemeColors } from './theme';

export abstract class ChartPair<C extends { destroy(): void }, V> {
  protected runtime: C | undefined;
  protected memory: C | undefined;
  protected theme: ThemeColors = readTheme();

  constructor(
    protected readonly runtimeCanvas: HTMLCanvasElement,
    protected readonly memoryCanvas: HTMLCanvasElement,
  ) {}

  abstract update(view: V): void;

  /** The theme changed: rebuild with its colours. */
  retheme(view: V | undefined): void {
    this.theme = readTheme();
    this.destroy();
    if (view) this.update(view);
  }

  destroy(): void {
    this.runtime?.destroy();
    this.memory?.destroy();
    this.runtime = undefined;
    this.memory = undefined;
  }
}
