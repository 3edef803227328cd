/**
 * The project's dev container image (`.devcontainer/devcontainer.json` or `.devcontainer.json`
 * with an `image`), which the Docker sandbox runs Python jobs in instead of its own image. A dev
 * container built from a Dockerfile (`build.dockerfile`) has no image to name until it is built;
 * that case is reported so the user can name the built tag.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type DevContainerImage =
  | { readonly kind: 'image'; readonly image: string; readonly file: string }
  | { readonly kind: 'dockerfile'; readonly file: string }
  | { readonly kind: 'none' };

const FILES = [path.join('.devcontainer', 'devcontainer.json'), '.devcontainer.json'];

export function findDevContainerImage(projectRoot: string): DevContainerImage {
  for (const name of FILES) {
    const file = path.join(projectRoot, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    let config: unknown;
    try {
      config = JSON.parse(stripJsonComments(text));
    } catch {
      continue;
    }
    if (typeof config !== 'object' || config === null) continue;
    const { image, build } = config as { image?: unknown; build?: unknown };
    if (typeof image === 'string' && image.trim() !== '') return { kind: 'image', image: image.trim(), file };
    if (typeof build === 'object' && build !== null) return { kind: 'dockerfile', file };
  }
  return { kind: 'none' };
}

/** devcontainer.json is JSON with comments and trailing commas. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}
