/** Running one loop job in the sandbox: the job built from the request, and a cancel that is prompt. */
import type { OptimizeRequest } from './loopTypes';
import type { Sandbox, SandboxJob, SandboxResult, SourceFile } from './sandboxTypes';

/** Thrown by `runInSandbox` when the signal fired; the loop turns it into a `cancelled` finish. */
export class Cancelled extends Error {}

export function sandboxJob(
  request: OptimizeRequest,
  files: readonly SourceFile[],
  mode: SandboxJob['mode'],
): SandboxJob {
  return {
    language: request.language.id,
    files,
    modulePath: request.modulePath,
    testPaths: request.testPaths,
    target: request.target,
    mode,
    limits: request.limits,
    ...(request.measure ? { measure: request.measure } : {}),
    ...(request.workspaceRoot !== undefined ? { workspaceRoot: request.workspaceRoot } : {}),
    ...(request.project !== undefined ? { project: request.project } : {}),
  };
}

/** The request's files with the module's text replaced. */
export function withModuleText(request: OptimizeRequest, moduleText: string): SourceFile[] {
  return request.files.map((f): SourceFile =>
    f.path === request.modulePath ? { path: f.path, content: moduleText } : f,
  );
}

/** Runs a job; resolves promptly on cancel (even if the adapter is slow to notice) by throwing Cancelled. */
export async function runInSandbox(
  sandbox: Sandbox,
  job: SandboxJob,
  signal: AbortSignal | undefined,
): Promise<SandboxResult> {
  if (signal?.aborted) throw new Cancelled();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Cancelled());
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([sandbox.run(job, signal), aborted]);
  } catch (error) {
    if (signal?.aborted) throw new Cancelled();
    throw error;
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    aborted.catch(() => undefined);
  }
}
