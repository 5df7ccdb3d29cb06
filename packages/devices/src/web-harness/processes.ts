import { readdir, readFile } from 'node:fs/promises';

export interface LocalProcess {
  pid: number;
  cmdline: string;
}

/** Processes of this machine whose command line contains every one of `needles` (Linux /proc; [] elsewhere). */
export async function findProcesses(needles: readonly string[]): Promise<LocalProcess[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const found: LocalProcess[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let raw: string;
    try {
      raw = await readFile(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const cmdline = raw.replace(/\0/g, ' ').trim();
    if (cmdline && needles.every((n) => cmdline.includes(n))) found.push({ pid, cmdline });
  }
  return found;
}

/** SIGKILLs every matching process; returns the pids that were signalled. */
export async function killProcesses(needles: readonly string[]): Promise<number[]> {
  const killed: number[] = [];
  for (const p of await findProcesses(needles)) {
    try {
      process.kill(p.pid, 'SIGKILL');
      killed.push(p.pid);
    } catch {
      // already gone
    }
  }
  return killed;
}
