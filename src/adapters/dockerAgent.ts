// The run loop inside a warm container. Its PID 1 is a small sh loop (the "agent") reading jobs
// from the container's stdin: a line `<run id> <tar size>`, then the tar of the job's files. For
// each it unpacks into a fresh work dir on the tmpfs, runs the harness in its own session, then
// kills leftovers, empties the tmpfs, reads the cgroup's OOM-kill count and ends the run with a
// trailer line on stdout and stderr. No `docker exec` per run: that alone costs 25–50 ms (runc),
// more than everything else a warm run does.
//
// Why sh as PID 1 is safe: the kernel drops signals to a namespace's init that it has no handler
// for, so the code can neither `kill -9 1` nor `kill -9 -1` it; and a process tree the code left
// behind is counted and killed before the trailer, and the host then replaces the container.
import { Writable } from 'node:stream';
import type Dockerode from 'dockerode';
import tar from 'tar-stream';
import type { HarnessCommand, PreparedJob } from './harnessRun';
import { createOutputCapture } from './outputCapture';
import type { CapturedOutput, OutputCapture } from './outputCapture';

export const WORK_ROOT = '/run/sandbox-work';
const TRAILER_MARKER = '@@AFTERBURNER_SANDBOX@@';

/**
 * `head -c` reads no byte past the tar, and `cat` drains what tar left unread (a failed unpack),
 * so the next `read` always starts at the next job line. `env -i` drops even the image's ENV: the
 * harness sees PATH, LANG, HOME and TMPDIR only.
 */
const AGENT = `export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
while read -r id size; do
  w=${WORK_ROOT}/$id; rc=125; unpacked=0
  mkdir "$w" "$w.tmp" 2>/dev/null
  if head -c "$size" | { tar -xof - -C "$w"; s=$?; cat >/dev/null; exit $s; }; then
    unpacked=1
    (cd "$w" && exec env -i PATH="$PATH" LANG=C.UTF-8 HOME="$w" TMPDIR="$w.tmp" setsid -w "$@" </dev/null); rc=$?
  fi
  cd /
  n=0; for p in /proc/[0-9]*; do n=$((n+1)); done
  [ "$n" -gt 1 ] && kill -9 -1 2>/dev/null
  rm -rf ${WORK_ROOT}/* ${WORK_ROOT}/.[!.]* /dev/shm/* /dev/shm/.[!.]* 2>/dev/null
  oom=-1
  for f in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do
    [ -r "$f" ] && while read -r k v; do [ "$k" = oom_kill ] && oom=$v; done < "$f"
  done
  t="{\\"rc\\":$rc,\\"unpacked\\":$unpacked,\\"procs\\":$n,\\"oom\\":$oom}"
  printf '\\n${TRAILER_MARKER} %s %s\\n' "$id" "$t"
  printf '\\n${TRAILER_MARKER} %s %s\\n' "$id" "$t" >&2
done`;

/** The container's command: the agent loop, running `harness` for every job. */
export function agentCommand(harness: HarnessCommand): string[] {
  return ['sh', '-c', AGENT, 'sh', harness.command, ...harness.args];
}

/** What the agent reported after the harness ended. */
export interface RunTrailer {
  readonly exitCode: number;
  readonly unpacked: boolean;
  /** Processes in the container when the harness had ended (1 = only the agent). */
  readonly processes: number;
  /** Cumulative OOM kills of the container's cgroup; -1 when the kernel does not count them. */
  readonly oomKills: number;
}

export interface RunOutcome {
  readonly stdout: CapturedOutput;
  /** Without the trailer line. */
  readonly stderr: CapturedOutput;
  /** Undefined when the run did not finish (stopped, or the container died). */
  readonly trailer: RunTrailer | undefined;
  readonly stopped: 'timeout' | 'abort' | undefined;
}

export interface AgentChannel {
  /** One run at a time. The limit and cancellation are enforced by `kill`, which destroys the container. */
  run(request: {
    readonly runId: string;
    readonly tarball: Buffer;
    readonly timeoutMs: number;
    readonly signal?: AbortSignal;
    readonly kill: () => Promise<void>;
  }): Promise<RunOutcome>;
  /** False once the container's stdio closed (it died or was removed). */
  alive(): boolean;
}

/** The job's files plus job.json as an in-memory tar; unpacked as the sandbox user. */
export async function packJob(job: PreparedJob): Promise<Buffer> {
  const pack = tar.pack();
  for (const file of job.files) pack.entry({ name: file.path, mode: 0o644 }, file.content);
  pack.entry({ name: 'job.json', mode: 0o644 }, JSON.stringify(job.harnessJob));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Splits the run's trailer line off the end of one captured stream. */
export function splitTrailer(
  output: CapturedOutput,
  runId: string,
): { output: CapturedOutput; trailer: RunTrailer | undefined } {
  // Small outputs may have the trailer straddle head and tail; then both are joined.
  const text = output.droppedBytes === 0 ? output.head + output.tail : output.tail;
  const marker = `\n${TRAILER_MARKER} ${runId} `;
  const at = text.lastIndexOf(marker);
  if (at < 0) return { output, trailer: undefined };
  const end = text.indexOf('\n', at + 1);
  const rest = text.slice(0, at) + (end < 0 ? '' : text.slice(end + 1));
  const stripped = output.droppedBytes === 0 ? { ...output, head: rest, tail: '' } : { ...output, tail: rest };
  try {
    const raw = JSON.parse(text.slice(at + marker.length, end < 0 ? undefined : end)) as Record<string, unknown>;
    const { rc, unpacked, procs, oom } = raw;
    if (
      typeof rc !== 'number' ||
      typeof unpacked !== 'number' ||
      typeof procs !== 'number' ||
      typeof oom !== 'number'
    ) {
      return { output: stripped, trailer: undefined };
    }
    return { output: stripped, trailer: { exitCode: rc, unpacked: unpacked === 1, processes: procs, oomKills: oom } };
  } catch {
    return { output: stripped, trailer: undefined };
  }
}

/** Feeds one stream of the current run and notices its trailer (which may arrive split). */
class RunStream {
  readonly capture: OutputCapture = createOutputCapture();
  private recent = '';
  done = false;

  constructor(private readonly marker: string) {}

  push(chunk: Buffer): void {
    this.capture.push(chunk);
    if (this.done) return;
    this.recent = (this.recent + chunk.toString('latin1')).slice(-(this.marker.length + 200));
    const at = this.recent.indexOf(this.marker);
    if (at >= 0 && this.recent.indexOf('\n', at + this.marker.length) >= 0) this.done = true;
  }
}

/**
 * Attaches to a created (not yet started) container's stdio. Must be called before `start()`, so
 * that no output of the agent is missed.
 */
export async function attachAgent(docker: Dockerode, container: Dockerode.Container): Promise<AgentChannel> {
  const stream = (await container.attach({
    stream: true,
    stdin: true,
    stdout: true,
    stderr: true,
    hijack: true,
  })) as NodeJS.ReadWriteStream & {
    destroy(): void;
  };
  let current: { stdout: RunStream; stderr: RunStream; settle: () => void } | undefined;
  let open = true;
  const sink = (pick: (run: NonNullable<typeof current>) => RunStream): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        // Bytes between runs belong to no run (nothing should write then) and are dropped.
        if (current) {
          pick(current).push(chunk);
          if (current.stdout.done && current.stderr.done) current.settle();
        }
        done();
      },
    });
  docker.modem.demuxStream(
    stream,
    sink((r) => r.stdout),
    sink((r) => r.stderr),
  );
  const closed = (): void => {
    open = false;
    current?.settle();
  };
  stream.once('end', closed);
  stream.once('close', closed);
  stream.on('error', closed);

  return {
    alive: () => open,
    async run(request) {
      if (current) throw new Error('the sandbox container is busy');
      const marker = `\n${TRAILER_MARKER} ${request.runId} `;
      let settle = (): void => undefined;
      const finished = new Promise<void>((resolve) => (settle = resolve));
      const run = { stdout: new RunStream(marker), stderr: new RunStream(marker), settle };
      current = run;

      let stopped: RunOutcome['stopped'];
      let killing: Promise<void> | undefined;
      const stop = (why: 'timeout' | 'abort'): void => {
        if (stopped) return;
        stopped = why;
        killing = request.kill().catch(() => undefined);
        // The engine closes the stream when the container dies; this is only the fallback.
        setTimeout(() => {
          stream.destroy();
          settle();
        }, 5000).unref();
      };
      const timer = setTimeout(() => stop('timeout'), request.timeoutMs);
      const onAbort = (): void => stop('abort');
      request.signal?.addEventListener('abort', onAbort, { once: true });
      if (request.signal?.aborted) onAbort();
      if (!open) settle();
      else stream.write(Buffer.concat([Buffer.from(`${request.runId} ${request.tarball.length}\n`), request.tarball]));

      try {
        await finished;
      } finally {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        current = undefined;
      }
      if (killing) await killing;

      const out = splitTrailer(run.stdout.capture.result(), request.runId);
      const err = splitTrailer(run.stderr.capture.result(), request.runId);
      const complete = !stopped && run.stdout.done && run.stderr.done;
      return { stdout: out.output, stderr: err.output, trailer: complete ? err.trailer : undefined, stopped };
    },
  };
}
