/**
 * `eval --report out.html`: one self-contained page (tables + chart.js charts, chart.js inlined)
 * that works offline, opened from disk, with the same data as the JSON report embedded in it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EvalReportJson } from '../core/evalReport';

const CHART_FILE = path.join('node_modules', 'chart.js', 'dist', 'chart.umd.min.js');

/** chart.js's UMD build, found from the installed package (next to the bundle or the cwd). */
export function loadChartJs(): string | undefined {
  const roots = [typeof __dirname === 'string' ? __dirname : undefined, process.cwd()].filter(
    (r): r is string => r !== undefined,
  );
  for (const root of roots) {
    for (let dir = root; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, CHART_FILE);
      if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
      if (path.dirname(dir) === dir) break;
    }
  }
  return undefined;
}

export async function writeEvalReport(
  htmlPath: string,
  report: EvalReportJson,
): Promise<{ html: string; json: string }> {
  const jsonPath = htmlPath.replace(/\.html?$/i, '') + '.json';
  await writeFile(jsonPath, JSON.stringify(report, null, 2) + '\n', 'utf8');
  await writeFile(htmlPath, renderEvalReportHtml(report, loadChartJs()), 'utf8');
  return { html: htmlPath, json: jsonPath };
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** JSON inside a <script> element: `<` escaped so no `</script>` can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const pct = (x: number | null): string => (x === null || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(1)} %`);
const num = (x: number | null, digits = 3): string =>
  x === null || !Number.isFinite(x) ? '–' : Number(x.toPrecision(digits)).toString();

export function renderEvalReportHtml(report: EvalReportJson, chartJs: string | undefined): string {
  const rows: [string, number, { low: number; high: number } | undefined][] = [
    ['pass@1', report.pass_at_1, report.ci.pass_at_1],
    ['Time %', report.time_pct, report.ci.time_pct],
    ['Memory %', report.memory_pct, report.ci.memory_pct],
    ['Integral %', report.integral_pct, report.ci.integral_pct],
    ['Beyond', report.beyond, report.ci.beyond],
  ];
  const summary = rows
    .map(
      ([name, value, ci]) =>
        `<tr><th>${name}</th><td>${pct(value)}</td><td>${ci ? `${pct(ci.low)} – ${pct(ci.high)}` : '–'}</td></tr>`,
    )
    .join('\n');
  const optimized = report.per_problem.some((p) => p.optimization !== undefined);
  const loopCell = (p: EvalReportJson['per_problem'][number]): string =>
    !optimized
      ? ''
      : p.optimization
        ? `<td title="${escapeHtml(p.optimization.reason)}">${escapeHtml(`${p.optimization.outcome.replace('_', ' ')}, best: iteration ${p.optimization.best_iteration}`)}</td>`
        : '<td>–</td>';
  const perProblem = report.per_problem
    .map(
      (p) =>
        `<tr class="${p.passed ? 'pass' : 'fail'}"><td>${escapeHtml(p.id)}</td><td>${escapeHtml(p.language)}</td><td title="${escapeHtml(p.message ?? '')}">${escapeHtml(p.status)}</td>` +
        `<td>${p.references.passed}/${p.references.total}</td><td>${pct(p.time_pct)}</td><td>${pct(p.memory_pct)}</td><td>${pct(p.integral_pct)}</td><td>${pct(p.beyond)}</td>` +
        `<td>${p.speedup === null ? '–' : num(p.speedup) + '×'}</td><td>${num(p.runtime_ms)}</td><td>${num(p.peak_memory_kb)}</td><td>${escapeHtml(p.differential)}</td>` +
        `<td>${p.complexity ? escapeHtml(`${p.complexity.original} → ${p.complexity.answer}`) : ''}</td>${loopCell(p)}</tr>`,
    )
    .join('\n');
  const charts = chartJs
    ? `<script>${chartJs.replace(/<\/script/gi, '<\\/script')}</script>\n<script>${CHART_SCRIPT}</script>`
    : '<p class="note">Charts are unavailable: chart.js was not found when this report was written.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Afterburner evaluation</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1f2328; background: #fff; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
  table { border-collapse: collapse; margin: .5rem 0; }
  th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: right; }
  th:first-child, td:first-child { text-align: left; }
  tr.fail td { color: #a40e26; }
  .chart { max-width: 960px; height: 320px; margin: 1rem 0; }
  .note, .meta { color: #57606a; }
</style>
</head>
<body>
<h1>Afterburner evaluation</h1>
<p class="meta">${escapeHtml(`${report.problems} problems from ${report.meta.problems_file}, answers: ${report.meta.answers}, sandbox: ${report.meta.sandbox}, ${report.meta.workers} worker(s), ${report.meta.generated_at}`)}</p>
<h2>Summary</h2>
<table id="summary"><thead><tr><th>metric</th><th>value</th><th>95 % interval</th></tr></thead><tbody>
${summary}
<tr><th>speed-up vs median reference</th><td>${report.speedup === null ? '–' : num(report.speedup) + '×'}</td><td>geometric mean over passing answers</td></tr>
<tr><th>problems without a passing reference</th><td>${report.problems_without_references}</td><td>count for pass@1 only</td></tr>
</tbody></table>
<p class="note">Time/Memory/Integral % = share of passing human references the answer beats or ties (ties: within measured noise); a failing answer scores 0. Beyond = (max − r)/(max − min) over the references' runtimes. Intervals: percentile bootstrap over problems.</p>
<h2>Scores per problem</h2>
<div class="chart"><canvas id="scores"></canvas></div>
<h2>Runtime: answer vs references</h2>
<div class="chart"><canvas id="runtimes"></canvas></div>
${report.iterations ? '<h2>By iteration</h2>\n<div class="chart"><canvas id="iterations"></canvas></div>' : ''}
<h2>Problems</h2>
<table id="problems"><thead><tr><th>id</th><th>language</th><th>status</th><th>refs passed</th><th>Time %</th><th>Memory %</th><th>Integral %</th><th>Beyond</th><th>speed-up</th><th>runtime ms</th><th>peak kB</th><th>differential</th><th>complexity</th>${optimized ? '<th>optimisation</th>' : ''}</tr></thead><tbody>
${perProblem}
</tbody></table>
<script type="application/json" id="report-data">${scriptJson(report)}</script>
${charts}
</body>
</html>
`;
}

const CHART_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var ids = data.per_problem.map(function (p) { return p.id; });
  var pc = function (x) { return x === null ? null : x * 100; };
  new Chart(document.getElementById('scores'), {
    type: 'bar',
    data: { labels: ids, datasets: [
      { label: 'Time %', data: data.per_problem.map(function (p) { return pc(p.time_pct); }), backgroundColor: '#0969da' },
      { label: 'Memory %', data: data.per_problem.map(function (p) { return pc(p.memory_pct); }), backgroundColor: '#1a7f37' },
      { label: 'Integral %', data: data.per_problem.map(function (p) { return pc(p.integral_pct); }), backgroundColor: '#8250df' },
      { label: 'Beyond', data: data.per_problem.map(function (p) { return pc(p.beyond); }), backgroundColor: '#bf8700' }
    ] },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0, max: 100, title: { display: true, text: '%' } } } }
  });
  var refs = [], answers = [];
  data.per_problem.forEach(function (p, i) {
    p.reference_runtime_ms.forEach(function (r) { refs.push({ x: i, y: r }); });
    if (p.runtime_ms !== null) answers.push({ x: i, y: p.runtime_ms });
  });
  new Chart(document.getElementById('runtimes'), {
    type: 'scatter',
    data: { datasets: [
      { label: 'references', data: refs, backgroundColor: '#8c959f' },
      { label: 'answer', data: answers, backgroundColor: '#cf222e', pointStyle: 'rectRot', pointRadius: 6 }
    ] },
    options: { animation: false, maintainAspectRatio: false, scales: {
      x: { type: 'linear', min: -0.5, max: ids.length - 0.5, ticks: { stepSize: 1, callback: function (v) { return ids[v] === undefined ? '' : ids[v]; } } },
      y: { type: 'logarithmic', title: { display: true, text: 'median runtime (ms)' } } } }
  });
  if (data.iterations) {
    var it = data.iterations;
    var line = function (label, key, color) { return { label: label, data: it.map(function (p) { return p[key] * 100; }), borderColor: color, backgroundColor: color }; };
    new Chart(document.getElementById('iterations'), {
      type: 'line',
      data: { labels: it.map(function (p) { return p.iteration; }), datasets: [
        line('pass@1', 'pass_at_1', '#1f2328'), line('Time %', 'time_pct', '#0969da'), line('Memory %', 'memory_pct', '#1a7f37'),
        line('Integral %', 'integral_pct', '#8250df'), line('Beyond', 'beyond', '#bf8700')
      ] },
      options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0, max: 100 }, x: { title: { display: true, text: 'iteration' } } } }
    });
  }
})();
`;
