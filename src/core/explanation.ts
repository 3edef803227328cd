/**
 * Why a candidate is faster, in two voices: the model's own words (the text around its code
 * block), and what the measurements say (the growth classes when sizes were measured, the hot
 * lines of the original against the candidate's).
 */
import { describeComplexity, type ComplexityClass } from './complexityFit';
import type { CandidateExplanation } from './loopTypes';
import type { HotLine, Measurement, SizePoint } from './sandboxTypes';

const MAX_MODEL_WORDS_CHARS = 800;
const MAX_SOURCE_CHARS = 60;

/** The reply without its fenced code blocks (an unclosed last block is cut too), or undefined. */
export function modelExplanation(reply: string): string | undefined {
  const kept: string[] = [];
  let fence: string | undefined;
  for (const line of reply.replace(/\r\n/g, '\n').split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined) {
      if (marker) fence = marker;
      else kept.push(line);
    } else if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) {
      fence = undefined;
    }
  }
  const text = kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (text === '') return undefined;
  return text.length <= MAX_MODEL_WORDS_CHARS ? text : `${text.slice(0, MAX_MODEL_WORDS_CHARS).trimEnd()}…`;
}

/** The measured half: growth classes first (the strongest evidence), then hot lines. */
export function measuredExplanation(original: Measurement, candidate: Measurement): string[] {
  const lines: string[] = [];
  const growth = growthExplanation(original.sizes ?? [], candidate.sizes ?? []);
  if (growth) lines.push(growth);
  const hot = hotLineExplanation(original.hotLines ?? [], candidate.hotLines ?? []);
  if (hot) lines.push(hot);
  return lines;
}

export function explainCandidate(
  reply: string,
  original: Measurement | undefined,
  candidate: Measurement | undefined,
): CandidateExplanation {
  const words = modelExplanation(reply);
  return {
    ...(words !== undefined ? { model: words } : {}),
    measured: original && candidate ? measuredExplanation(original, candidate) : [],
  };
}

/**
 * "time ≈ n² → n, memory ≈ n in both" from two size series, or undefined when either has too few
 * sizes for a fit.
 */
export function growthExplanation(original: readonly SizePoint[], candidate: readonly SizePoint[]): string | undefined {
  if (original.length === 0 || candidate.length === 0) return undefined;
  return growthChangeWords(
    describeComplexity(original),
    describeComplexity(candidate),
    original.map((p) => p.size),
  );
}

/** A fitted class, or none: the shape both `ComplexityFit` and the panel's stored fits have. */
export type FittedClass =
  | { readonly kind: 'fit'; readonly complexity: ComplexityClass; readonly label: string }
  | { readonly kind: 'insufficient' };

/**
 * The same words from classes fitted already (the panel keeps the fits of each version it
 * measured), so the CLI and the panel say one thing about the same two fits.
 */
export function growthChangeWords(
  original: { readonly time: FittedClass; readonly memory: FittedClass },
  candidate: { readonly time: FittedClass; readonly memory: FittedClass },
  sizes: readonly number[],
): string | undefined {
  const time = transition(original.time, candidate.time);
  if (!time) return undefined;
  const memory = transition(original.memory, candidate.memory);
  return `time ≈ ${time}${memory ? `, memory ≈ ${memory}` : ''} (fitted over input sizes ${sizes.join(', ')})`;
}

function transition(before: FittedClass, after: FittedClass): string | undefined {
  if (before.kind !== 'fit' || after.kind !== 'fit') return undefined;
  return before.complexity === after.complexity ? `${before.label} in both` : `${before.label} → ${after.label}`;
}

/**
 * "The original spent 78 % of its time on line 12 (`if item in result`); the candidate's hottest
 * line takes 41 % (line 6, `seen.add(item)`)."
 */
export function hotLineExplanation(original: readonly HotLine[], candidate: readonly HotLine[]): string | undefined {
  const before = hottest(original);
  if (!before) return undefined;
  const first = `The original spent ${share(before)} of its time on line ${before.line} (${quote(before.source)})`;
  const after = hottest(candidate);
  if (!after) return `${first}.`;
  return `${first}; the candidate's hottest line takes ${share(after)} (line ${after.line}, ${quote(after.source)}).`;
}

function hottest(lines: readonly HotLine[]): HotLine | undefined {
  return [...lines].sort((a, b) => b.share - a.share)[0];
}

function share(line: HotLine): string {
  return `${Math.round(line.share * 100)} %`;
}

function quote(source: string): string {
  const text = source.trim();
  return `\`${text.length <= MAX_SOURCE_CHARS ? text : `${text.slice(0, MAX_SOURCE_CHARS)}…`}\``;
}
