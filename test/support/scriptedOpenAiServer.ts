/**
 * A real OpenAI-compatible HTTP server on 127.0.0.1 for tests: POST /v1/chat/completions (JSON,
 * or SSE when the request says `stream: true`) and GET /v1/models. Each chat request takes the
 * reply a routing function gives for it (when one is set and answers), else the next scripted
 * reply from a queue; every request is recorded so tests can assert what the model was shown. An
 * empty queue answers 500 "script exhausted", so over-asking is visible.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedReply =
  /** A normal answer with `text` as the assistant message (streamed in pieces when asked). */
  | { readonly kind: 'text'; readonly text: string; readonly delayMs?: number }
  /** An HTTP error, e.g. 429 with Retry-After, 401, 500. */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly message?: string;
      readonly delayMs?: number;
    }
  /** Never answers until the client goes away (for timeouts and cancellation). */
  | { readonly kind: 'hang' };

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON body (chat requests). */
  readonly body?: {
    readonly model?: string;
    readonly stream?: boolean;
    readonly temperature?: number;
    readonly messages?: readonly { readonly role: string; readonly content: string }[];
  };
}

export interface ScriptedOpenAiServer {
  /** Base URL ending in /v1, as users configure it. */
  readonly baseUrl: string;
  readonly received: ReceivedRequest[];
  enqueue(...replies: ScriptedReply[]): void;
  /**
   * Answers requests by what they ask (for concurrent clients, whose order is not fixed): the
   * reply `responder` gives for a request's text, or the queue when it gives none.
   */
  route(responder: (userText: string) => ScriptedReply | undefined): void;
  /** Replies not yet used. */
  pending(): number;
  /** Drops the replies not yet used (a scenario that failed midway leaves its own behind). */
  discard(): void;
  close(): Promise<void>;
}

export interface ScriptedServerOptions {
  readonly models?: readonly string[];
  /** Characters per SSE chunk. */
  readonly chunkSize?: number;
}

/** Replies the loop tests need, in one place. */
export const replies = {
  code(language: string, code: string, preface = 'Here is a faster version:'): ScriptedReply {
    return { kind: 'text', text: `${preface}\n\n\`\`\`${language}\n${code.replace(/\s+$/, '')}\n\`\`\`\n` };
  },
  prose(text = 'You could use a set instead of a list; that should be much faster.'): ScriptedReply {
    return { kind: 'text', text };
  },
  truncated(language: string, code: string): ScriptedReply {
    return {
      kind: 'text',
      text: `Sure:\n\n\`\`\`${language}\n${code.slice(0, Math.max(1, Math.floor(code.length / 2)))}`,
    };
  },
  status(status: number, headers: Record<string, string> = {}, message = `scripted ${status}`): ScriptedReply {
    return { kind: 'status', status, headers, message };
  },
};

export async function startScriptedOpenAiServer(options: ScriptedServerOptions = {}): Promise<ScriptedOpenAiServer> {
  const queue: ScriptedReply[] = [];
  const received: ReceivedRequest[] = [];
  let responder: ((userText: string) => ScriptedReply | undefined) | undefined;
  const models = options.models ?? ['scripted-model'];
  const chunkSize = options.chunkSize ?? 16;
  let counter = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const raw = await readBody(req);
    const body = raw ? (JSON.parse(raw) as ReceivedRequest['body']) : undefined;
    received.push({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      ...(body ? { body } : {}),
    });
    if (req.method === 'GET' && path.endsWith('/models')) {
      json(res, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'scripted' })),
      });
      return;
    }
    if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
      json(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
      return;
    }
    const asked = (body?.messages ?? [])
      .filter((m) => m.role === 'user')
      .map((m) => m.content)
      .join('\n');
    const reply = responder?.(asked) ?? queue.shift();
    if (!reply) {
      json(res, 500, { error: { message: 'script exhausted', type: 'server_error' } });
      return;
    }
    if (reply.kind === 'hang') {
      await new Promise<void>((resolve) => req.socket.once('close', () => resolve()));
      return;
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (reply.kind === 'status') {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(
        JSON.stringify({ error: { message: reply.message ?? `status ${reply.status}`, type: 'scripted', code: null } }),
      );
      return;
    }
    const id = `chatcmpl-${++counter}`;
    const model = body?.model ?? models[0] ?? 'scripted-model';
    if (body?.stream) {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      const chunk = (delta: Record<string, string>, finish: string | null): string =>
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '' }, null));
      for (let i = 0; i < reply.text.length; i += chunkSize)
        res.write(chunk({ content: reply.text.slice(i, i + chunkSize) }, null));
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
      return;
    }
    json(res, 200, {
      id,
      object: 'chat.completion',
      created: 0,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: reply.text }, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: 10,
        completion_tokens: Math.ceil(reply.text.length / 4),
        total_tokens: 10 + Math.ceil(reply.text.length / 4),
      },
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    received,
    enqueue: (...more) => queue.push(...more),
    route: (next) => {
      responder = next;
    },
    pending: () => queue.length,
    discard: () => {
      queue.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
