// Drive a terminal program in a detached tmux session: type keys, read the screen.
import {execFileSync} from 'node:child_process';
import {setTimeout as sleep} from 'node:timers/promises';

// A tmux session running one command.
export class TmuxSession {
  constructor(readonly name: string) {}

  // Start command in a new detached session of width x height.
  static start(name: string, width: number, height: number, command: string): TmuxSession {
    execFileSync('tmux', ['new-session', '-d', '-s', name, '-x', String(width), '-y', String(height), command]);
    return new TmuxSession(name);
  }

  // The screen's text now.
  capture(): string {
    return execFileSync('tmux', ['capture-pane', '-p', '-t', this.name], {encoding: 'utf8'});
  }

  // Type keys (tmux key names: q, Tab, C-c).
  send(...keys: string[]): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, ...keys]);
  }

  // Poll the screen until predicate holds; returns that screen. Throws (failing the test) with the last
  // screen when timeoutMs passes first.
  async waitFor(predicate: (screen: string) => boolean, timeoutMs: number, what = String(predicate)): Promise<string> {
    const until = Date.now() + timeoutMs;
    let screen = this.capture();
    while (!predicate(screen)) {
      if (Date.now() >= until) throw new Error(`tmux ${this.name}: not on screen after ${timeoutMs} ms: ${what}\n${screen}`);
      await sleep(250);
      screen = this.capture();
    }
    return screen;
  }

  // End the session (and whatever still runs in it).
  kill(): void {
    try {
      execFileSync('tmux', ['kill-session', '-t', this.name], {stdio: 'ignore'});
    } catch {
      // already gone
    }
  }
}

// Why tmux tests cannot run here (no tmux), or null.
export const tmuxMissing = (() => {
  try {
    execFileSync('tmux', ['-V'], {stdio: 'ignore'});
    return null;
  } catch {
    return 'tmux is not installed: apt-get install tmux';
  }
})();
