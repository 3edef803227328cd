import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientSettings, createOpenAiModel, type OpenAiModelOptions } from '../../src/adapters/openaiModel';
import type { ChatMessage } from '../../src/core/modelTypes';
import { replies, startScriptedOpenAiServer, type ScriptedOpenAiServer } from '../support/scriptedOpenAiServer';

const KEY = 'sk-test-SECRET-0123456789abcdef';
const messages: ChatMessage[] = [
  { role: 'system', content: 'You are an expert performance engineer.' },
  { role: 'user', content: 'runtime: 12.3 ms median' },
];

let server: ScriptedOpenAiServer;
const waits: number[] = [];
/** Records the pauses the adapter asks for and returns at once: no test waits on a wall clock. */
const instantSleep = async (ms: number): Promise<void> => {
  waits.push(ms);
};

beforeEach(async () => {
  server = await startScriptedOpenAiServer({ models: ['model-a', 'model-b'], chunkSize: 5 });
  waits.length = 0;
});
afterEach(async () => {
  await server.close();
});

function model(overrides: Partial<OpenAiModelOptions> = {}) {
  return createOpenAiModel({
    baseUrl: server.baseUrl,
    model: 'model-a',
    apiKey: KEY,
    sleep: instantSleep,
    ...overrides,
  });
}

describe('OpenAiModel over real HTTP', () => {
  it('completes a chat and sends the messages, temperature and key', async () => {
    server.enqueue(replies.code('python', 'def f():\n    return 1'));
    const result = await model().complete(messages, { temperature: 0.7 });
    expect(result.kind).toBe('ok');
    expect(result.kind === 'ok' && result.text).toContain('```python\ndef f():\n    return 1\n```');
    expect(result.kind === 'ok' && result.usage?.promptTokens).toBe(10);
    const request = server.received[0];
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.body?.temperature).toBe(0.7);
    expect(request?.body?.messages?.[1]?.content).toBe('runtime: 12.3 ms median');
    expect(request?.body?.stream).toBeFalsy();
  });

  it('streams fragments to onText when asked', async () => {
    const text = 'Faster:\n```python\ndef f():\n    return 2\n```';
    server.enqueue({ kind: 'text', text });
    const fragments: string[] = [];
    const result = await model().complete(messages, { onText: (f) => fragments.push(f) });
    expect(server.received[0]?.body?.stream).toBe(true);
    expect(fragments.length).toBeGreaterThan(3);
    expect(fragments.join('')).toBe(text);
    expect(result.kind === 'ok' && result.text).toBe(text);
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    server.enqueue(replies.status(429, { 'retry-after': '2' }), replies.status(429, { 'retry-after-ms': '1500' }), {
      kind: 'text',
      text: 'ok',
    });
    const result = await model().complete(messages, {});
    expect(result).toMatchObject({ kind: 'ok', text: 'ok' });
    expect(waits).toEqual([2000, 1500]);
    expect(server.received).toHaveLength(3);
  });

  it('gives up after the retry budget with rate_limit and the wait asked for', async () => {
    server.enqueue(...Array.from({ length: 3 }, () => replies.status(429, { 'retry-after': '1' })));
    const result = await model({ maxRetries: 2 }).complete(messages, {});
    expect(result).toMatchObject({ kind: 'error', error: 'rate_limit', retryAfterMs: 1000 });
    expect(result.kind === 'error' && result.message).toMatch(
      /rate-limiting requests \(HTTP 429\) and asked to wait 1 s/,
    );
    expect(server.received).toHaveLength(3);
  });

  it('does not wait for a Retry-After beyond the bound', async () => {
    server.enqueue(replies.status(429, { 'retry-after': '3600' }));
    const result = await model({ maxRetryWaitMs: 30_000 }).complete(messages, {});
    expect(result).toMatchObject({ kind: 'error', error: 'rate_limit', retryAfterMs: 3_600_000 });
    expect(waits).toEqual([]);
    expect(server.received).toHaveLength(1);
  });

  it('can be cancelled while waiting to retry', async () => {
    server.enqueue(replies.status(429, { 'retry-after': '30' }));
    const controller = new AbortController();
    const pending = createOpenAiModel({ baseUrl: server.baseUrl, model: 'model-a', apiKey: KEY }).complete(
      messages,
      {},
      controller.signal,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    expect(await pending).toMatchObject({ kind: 'error', error: 'cancelled' });
  });

  it('maps 401 to auth with an actionable message that never contains the key', async () => {
    server.enqueue(replies.status(401, {}, `Incorrect API key provided: ${KEY}.`));
    const result = await model().complete(messages, {});
    expect(result).toMatchObject({ kind: 'error', error: 'auth' });
    const message = result.kind === 'error' ? result.message : '';
    expect(message).toMatch(/refused the API key \(HTTP 401\)/);
    expect(message).toMatch(/AFTERBURNER_API_KEY/);
    expect(message).not.toContain(KEY);
    expect(message).not.toContain('SECRET');
    expect(server.received).toHaveLength(1);
  });

  it('retries a 500 and then reports unavailable', async () => {
    server.enqueue(replies.status(500), replies.status(503));
    const result = await model({ maxRetries: 1 }).complete(messages, {});
    expect(result).toMatchObject({ kind: 'error', error: 'unavailable' });
    expect(result.kind === 'error' && result.message).toMatch(/failed \(HTTP 503\)/);
    expect(server.received).toHaveLength(2);
    expect(waits).toHaveLength(1);
  });

  it('maps 400 and 404 to bad_request without retrying', async () => {
    server.enqueue(replies.status(400, {}, 'max_tokens is too large'), replies.status(404, {}, 'model not found'));
    const bad = await model().complete(messages, {});
    expect(bad).toMatchObject({ kind: 'error', error: 'bad_request' });
    expect(bad.kind === 'error' && bad.message).toContain('max_tokens is too large');
    const missing = await model().complete(messages, {});
    expect(missing.kind === 'error' && missing.message).toMatch(/no model "model-a"/);
    expect(server.received).toHaveLength(2);
  });

  it('reports a server that is not there as unavailable, saying what to check', async () => {
    const url = server.baseUrl;
    await server.close();
    const result = await createOpenAiModel({ baseUrl: url, model: 'm', maxRetries: 0 }).complete(messages, {});
    expect(result).toMatchObject({ kind: 'error', error: 'unavailable' });
    expect(result.kind === 'error' && result.message).toMatch(
      /Could not reach the model endpoint .*Check the base URL/,
    );
    server = await startScriptedOpenAiServer();
  });

  it('times out a server that never answers', async () => {
    server.enqueue({ kind: 'hang' });
    const result = await model({ timeoutMs: 300, maxRetries: 0 }).complete(messages, {});
    expect(result).toMatchObject({ kind: 'error', error: 'unavailable' });
    expect(result.kind === 'error' && result.message).toMatch(/did not answer within/);
  });

  it('returns cancelled when the signal fires during a request', async () => {
    server.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const pending = model().complete(messages, { onText: () => undefined }, controller.signal);
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toMatchObject({ kind: 'error', error: 'cancelled' });
  });

  it('returns the scripted text as is for prose and truncated replies (the loop judges them)', async () => {
    server.enqueue(replies.prose('Use a set.'), replies.truncated('python', 'def f(xs):\n    return sorted(set(xs))'));
    expect(await model().complete(messages, {})).toMatchObject({ kind: 'ok', text: 'Use a set.' });
    const cut = await model().complete(messages, { onText: () => undefined });
    expect(cut.kind === 'ok' && cut.text.startsWith('Sure:\n\n```python\ndef f(xs)')).toBe(true);
  });

  it('lists the models of the endpoint', async () => {
    expect(await model().listModels()).toEqual({ kind: 'ok', models: ['model-a', 'model-b'] });
  });

  it('keeps query parameters of the base URL (api-version) on every request', async () => {
    server.enqueue({ kind: 'text', text: 'ok' });
    await model({ baseUrl: `${server.baseUrl}?api-version=2024-06-01` }).complete(messages, {});
    expect(server.received[0]?.path).toBe('/v1/chat/completions?api-version=2024-06-01');
  });

  it('describes itself by model and endpoint', () => {
    expect(model().describe()).toBe(`model-a at ${server.baseUrl}`);
  });
});

describe('clientSettings for Azure OpenAI', () => {
  it('moves api-version to the query and sends the key as api-key', () => {
    const s = clientSettings({
      baseUrl: 'https://res.openai.azure.com/openai/deployments/gpt4o?api-version=2024-06-01',
      apiKey: KEY,
    });
    expect(s.baseURL).toBe('https://res.openai.azure.com/openai/deployments/gpt4o');
    expect(s.defaultQuery).toEqual({ 'api-version': '2024-06-01' });
    expect(s.defaultHeaders).toEqual({ 'api-key': KEY });
  });
  it('adds a default api-version when none is given', () => {
    expect(
      clientSettings({ baseUrl: 'https://res.openai.azure.com/openai/deployments/d', apiKey: KEY }).defaultQuery?.[
        'api-version'
      ],
    ).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
  it('leaves other endpoints alone', () => {
    const s = clientSettings({ baseUrl: 'http://localhost:11434/v1/' });
    expect(s).toEqual({ baseURL: 'http://localhost:11434/v1', apiKey: 'no-key' });
  });
});
