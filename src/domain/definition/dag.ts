/**
 * Graph algorithms over a definition's tasks, all O(V+E) (ancestor sets: O((V+E)·V/32) bit ops).
 * Nodes are task indexes; `deps[i]` are the indexes task i depends on.
 */

/** Kahn's order; `null` order and the keys on one cycle when the graph is not acyclic. */
export function topologicalOrder(deps: readonly (readonly number[])[]): {
  order: number[];
  cycle: number[] | null;
} {
  const n = deps.length;
  const dependents = dependentsOf(deps);
  const remaining = deps.map((d) => d.length);
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (remaining[i] === 0) order.push(i);
  for (let head = 0; head < order.length; head++) {
    for (const d of dependents[order[head]!]!) {
      if (--remaining[d]! === 0) order.push(d);
    }
  }
  if (order.length === n) return { order, cycle: null };
  return { order, cycle: findCycle(deps, remaining) };
}

/** Walks dependencies among the nodes Kahn could not order; every such walk ends on a cycle. */
function findCycle(deps: readonly (readonly number[])[], remaining: number[]): number[] {
  const start = remaining.findIndex((r) => r > 0);
  const seenAt = new Map<number, number>();
  const path: number[] = [];
  let node = start;
  while (!seenAt.has(node)) {
    seenAt.set(node, path.length);
    path.push(node);
    node = deps[node]!.find((d) => remaining[d]! > 0)!;
  }
  return path.slice(seenAt.get(node)).reverse();
}

export function dependentsOf(deps: readonly (readonly number[])[]): number[][] {
  const dependents: number[][] = deps.map(() => []);
  deps.forEach((ds, i) => ds.forEach((d) => dependents[d]!.push(i)));
  return dependents;
}

/** Level of each node: 0 for roots, else 1 + the highest level of its dependencies. */
export function levelsOf(deps: readonly (readonly number[])[], order: readonly number[]): number[] {
  const level = deps.map(() => 0);
  for (const i of order) for (const d of deps[i]!) level[i] = Math.max(level[i]!, level[d]! + 1);
  return level;
}

/** Transitive ancestors of every node as bitsets, built in topological order. */
export function ancestorSets(deps: readonly (readonly number[])[], order: readonly number[]): Uint32Array[] {
  const words = Math.ceil(deps.length / 32) || 1;
  const sets = deps.map(() => new Uint32Array(words));
  for (const i of order) {
    const own = sets[i]!;
    for (const d of deps[i]!) {
      const parent = sets[d]!;
      for (let w = 0; w < words; w++) own[w]! |= parent[w]!;
      own[d >>> 5]! |= 1 << (d & 31);
    }
  }
  return sets;
}

export function hasBit(set: Uint32Array, index: number): boolean {
  return (set[index >>> 5]! & (1 << (index & 31))) !== 0;
}
