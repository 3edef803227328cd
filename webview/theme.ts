/** Colours and fonts from VS Code's theme variables, so charts follow light, dark and high-contrast themes. */

export interface ThemeColors {
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly blue: string;
  readonly green: string;
  readonly red: string;
  readonly yellow: string;
  readonly orange: string;
  readonly purple: string;
  readonly fontFamily: string;
  readonly fontSize: number;
  readonly highContrast: boolean;
}

export function readTheme(): ThemeColors {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  const foreground = v('--vscode-charts-foreground', v('--vscode-foreground', '#888888'));
  return {
    foreground,
    muted: v('--vscode-descriptionForeground', foreground),
    grid: v('--vscode-charts-lines', 'rgba(128,128,128,0.35)'),
    blue: v('--vscode-charts-blue', '#3794ff'),
    green: v('--vscode-charts-green', '#89d185'),
    red: v('--vscode-charts-red', '#f14c4c'),
    yellow: v('--vscode-charts-yellow', '#cca700'),
    orange: v('--vscode-charts-orange', '#d18616'),
    purple: v('--vscode-charts-purple', '#b180d7'),
    fontFamily: v('--vscode-font-family', 'sans-serif'),
    fontSize: Number.parseFloat(v('--vscode-font-size', '12')) || 12,
    highContrast:
      document.body.classList.contains('vscode-high-contrast') ||
      document.body.classList.contains('vscode-high-contrast-light'),
  };
}

/** Calls `onChange` when VS Code switches the theme (it changes the body's class). */
export function watchTheme(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
