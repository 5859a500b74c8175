import { StoryGraph } from '../../src/graph/story-graph';

/**
 * Counts calls to the story graph's methods on one graph (every method of the class, wrapped on
 * the instance, so calls the graph makes on itself count too) until `restore()`: what a query
 * touches, without timing it.
 */
export function countGraphCalls(graph: StoryGraph): { calls(): number; reset(): void; restore(): void } {
  let calls = 0;
  const names = Object.getOwnPropertyNames(StoryGraph.prototype).filter((name) => {
    const descriptor = Object.getOwnPropertyDescriptor(StoryGraph.prototype, name);
    return name !== 'constructor' && typeof descriptor?.value === 'function';
  });
  const target = graph as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of names) {
    const original = target[name];
    target[name] = function (this: unknown, ...args: unknown[]) {
      calls++;
      return original.apply(this, args);
    };
  }
  return {
    calls: () => calls,
    reset: () => {
      calls = 0;
    },
    restore: () => {
      for (const name of names) delete target[name];
    },
  };
}
