/** Resident memory of a process and all its descendants, from /proc (Linux). */
import { readFileSync, readdirSync } from 'node:fs';

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = byParent.get(ppid) ?? [];
      list.push(Number(entry));
      byParent.set(ppid, list);
    } catch {
      // The process ended while we looked.
    }
  }
  return byParent;
}

function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function treeRss(root = process.pid): number {
  const byParent = children();
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += rssBytes(pid);
    stack.push(...(byParent.get(pid) ?? []));
  }
  return total;
}

/** Samples the tree's RSS every `intervalMs` until stopped; returns the peak. */
export function sampleTreeRss(intervalMs = 100): { stop(): number } {
  let peak = treeRss();
  const timer = setInterval(() => (peak = Math.max(peak, treeRss())), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, treeRss());
    },
  };
}
