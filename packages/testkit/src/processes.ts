import { readdirSync, readFileSync } from 'node:fs';

/** State and parent of a process from /proc/<pid>/stat: the fields after the parenthesised command. */
function statFields(pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    // gone (or exited meanwhile)
    return null;
  }
}

/** Live (not zombie) child processes of `ppid` (Linux /proc). */
export function childPids(ppid = process.pid): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields && Number(fields[1]) === ppid && fields[0] !== 'Z') out.push(Number(entry));
  }
  return out;
}

/** Whether a process exists and is not a zombie (Linux /proc). */
export function isAlive(pid: number): boolean {
  const fields = statFields(pid);
  return fields !== null && fields[0] !== 'Z';
}
