import { describe, expect, it } from 'vitest';
import { splitTrailer } from '../../src/adapters/dockerAgent';
import { dockerOptionsFor } from '../../src/adapters/dockerEngine';

const captured = (text: string) => ({ head: text, tail: '', droppedBytes: 0, totalBytes: text.length });

describe('run trailer of the sandbox agent', () => {
  it('is taken off the output and read', () => {
    const { output, trailer } = splitTrailer(
      captured('user output\n\n@@AFTERBURNER_SANDBOX@@ abc {"rc":0,"unpacked":1,"procs":1,"oom":0}\n'),
      'abc',
    );
    expect(output.head).toBe('user output\n');
    expect(trailer).toEqual({ exitCode: 0, unpacked: true, processes: 1, oomKills: 0 });
  });

  it("ignores a trailer printed for another run id (code cannot guess the run's id)", () => {
    const { trailer } = splitTrailer(
      captured('\n@@AFTERBURNER_SANDBOX@@ forged {"rc":0,"unpacked":1,"procs":1,"oom":0}\n'),
      'abc',
    );
    expect(trailer).toBeUndefined();
  });
});

describe('Docker host URLs', () => {
  it('maps unix, tcp and ssh hosts to client options', () => {
    expect(dockerOptionsFor('unix:///tmp/engine.sock')).toEqual({ socketPath: '/tmp/engine.sock' });
    expect(dockerOptionsFor('tcp://10.0.0.5:2375')).toMatchObject({ protocol: 'http', host: '10.0.0.5', port: '2375' });
    expect(dockerOptionsFor('tcp://10.0.0.5:2376')).toMatchObject({ protocol: 'https' });
    expect(dockerOptionsFor('ssh://builder@build.example')).toMatchObject({
      protocol: 'ssh',
      host: 'build.example',
      username: 'builder',
      port: 22,
    });
  });

  it('refuses a scheme it cannot speak', () => {
    expect(() => dockerOptionsFor('ftp://example')).toThrow(/unix:\/\/, tcp:\/\/ or ssh:\/\//);
  });
});
