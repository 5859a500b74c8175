import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { RunningClock } from './running-clock';
import { TIMED_OUT, withinTime } from './within-time';

// test-utils' holdThread is not used here: test-utils depends on this library.
function holdThread(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy
  }
}

describe('RunningClock', () => {
  it('times out a promise that does not settle within the running time', async () => {
    const clock = new RunningClock();
    expect(await clock.within(new Promise(() => undefined), 100)).toBe(TIMED_OUT);
  });

  it('gives the value of a promise that settles in time', async () => {
    const clock = new RunningClock();
    expect(await clock.within(new Promise((resolve) => setTimeout(() => resolve('done'), 20)), 1_000)).toBe('done');
  });

  describe('with an answer that arrives while the thread is held (a server in another process)', () => {
    let server: ChildProcess;
    let socket: Socket;
    beforeAll(async () => {
      // An echo server of its own process: it answers while this thread is held.
      const script = "const s = require('net').createServer((c) => c.on('data', (d) => c.write(d))); s.listen(0, '127.0.0.1', () => console.log('port=' + s.address().port));";
      // Without the test run's NODE_OPTIONS (they may load or print things): a plain node.
      server = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env['PATH'] ?? '' } });
      const port = await new Promise<number>((resolve, reject) => {
        let printed = '';
        server.stdout?.on('data', (chunk: Buffer) => {
          printed += String(chunk);
          const found = /port=(\d+)/.exec(printed);
          if (found) resolve(Number(found[1]));
        });
        server.once('exit', (code) => reject(new Error(`the echo server exited (${code}): ${printed}`)));
      });
      socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
    });
    afterAll(() => {
      socket?.destroy();
      server?.kill();
    });
    /** Asks the server, holds the thread past the timeout, and gives what `wait` made of the answer. */
    const askWhileHeld = async (wait: (answer: Promise<string>) => Promise<unknown>) => {
      const answer = new Promise<string>((resolve) => socket.once('data', () => resolve('answered')));
      const waiting = wait(answer);
      socket.write('ping');
      holdThread(1_000);
      return waiting;
    };

    it('does not count the hold: the answer, read from the socket after it, is in time', async () => {
      expect(await askWhileHeld((answer) => new RunningClock().within(answer, 300))).toBe('answered');
    });

    it('where a wall-clock timeout fires first (its late timer runs before the socket is read)', async () => {
      expect(await askWhileHeld((answer) => withinTime(answer, 300))).toBe(TIMED_OUT);
    });
  });

  it('counts a hold as a short gap only', () => {
    const clock = new RunningClock();
    holdThread(600);
    expect(clock.now()).toBeLessThan(600);
  });
});
