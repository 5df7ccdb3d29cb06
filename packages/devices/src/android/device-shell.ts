import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What the Android driver needs from a phone: a shell, file transfer and app install. */
export interface DeviceShell {
  /** runs `command args...` in the device's shell and returns stdout */
  shell(command: string, args?: string[]): Promise<string>;
  push(localPath: string, remotePath: string): Promise<void>;
  pull(remotePath: string): Promise<Buffer>;
  install(apkPath: string): Promise<void>;
}

export interface AdbOptions {
  /** default "adb" from PATH */
  adbPath?: string;
  /** per command; default 30 s */
  timeoutMs?: number;
}

/** The host's own adb: discovery, `adb reverse`, and a DeviceShell for one serial. */
export class Adb {
  readonly #path: string;
  readonly #timeoutMs: number;

  constructor(opts: AdbOptions = {}) {
    this.#path = opts.adbPath ?? 'adb';
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
  }

  async exec(args: string[], timeoutMs = this.#timeoutMs): Promise<string> {
    const { stdout } = await run(this.#path, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
    return stdout;
  }

  devices(): Promise<string> {
    return this.exec(['devices', '-l']);
  }

  /** Makes the device's tcp:port reach this host's tcp:port (the harness server). */
  async reverse(serial: string, port: number): Promise<void> {
    await this.exec(['-s', serial, 'reverse', `tcp:${port}`, `tcp:${port}`]);
  }

  async removeReverse(serial: string, port: number): Promise<void> {
    await this.exec(['-s', serial, 'reverse', '--remove', `tcp:${port}`]).catch(() => undefined);
  }

  forSerial(serial: string): DeviceShell {
    return {
      shell: (command, args = []) => this.exec(['-s', serial, 'shell', command, ...args]),
      push: async (local, remote) => void (await this.exec(['-s', serial, 'push', local, remote], 10 * 60_000)),
      pull: async (remote) => {
        const { stdout } = await run(this.#path, ['-s', serial, 'exec-out', 'cat', remote], {
          timeout: this.#timeoutMs,
          maxBuffer: 256 * 1024 * 1024,
          encoding: 'buffer',
        });
        return stdout;
      },
      install: async (apk) => void (await this.exec(['-s', serial, 'install', '-r', '-g', apk], 10 * 60_000)),
    };
  }
}
