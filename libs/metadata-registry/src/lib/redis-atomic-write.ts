import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * One atomic write to Redis, planned from values read beforehand: it applies only if every
 * guarded key still holds what was read (compared by SHA-1), so two writers doing
 * read-modify-write on the same record never lose an update; the loser re-reads and re-plans.
 */
export interface WritePlan {
  /** Keys and the value read before planning (null: the key did not exist). */
  guards: Map<string, string | null>;
  sets: Array<[key: string, value: string]>;
  zadds: Array<[key: string, score: number, member: string]>;
  zrems: Array<[key: string, member: string]>;
  /** Storylines left as they are, the stored one being newer (reported, not written). */
  skippedStorylines: number;
}

export const emptyPlan = (): WritePlan => ({ guards: new Map(), sets: [], zadds: [], zrems: [], skippedStorylines: 0 });

// Guards first, then a type check of every key written (WRONGTYPE before any write, so a plan
// applies entirely or not at all: Lua does not roll back), then ZREM before ZADD (a member may
// be removed from one place and added again). Scores travel as strings: Lua numbers lose digits.
const APPLY_PLAN_LUA = `
local plan = cjson.decode(ARGV[1])
for _, g in ipairs(plan.g) do
  local current = redis.call('GET', KEYS[g[1]])
  local digest = current and redis.sha1hex(current) or false
  if digest ~= g[2] then return 0 end
end
local function expect(index, wanted)
  local t = redis.call('TYPE', KEYS[index]).ok
  if t ~= 'none' and t ~= wanted then
    return redis.error_reply('WRONGTYPE ' .. KEYS[index] .. ' holds a ' .. t .. ', expected a ' .. wanted)
  end
end
for _, s in ipairs(plan.s) do local e = expect(s[1], 'string'); if e then return e end end
for _, z in ipairs(plan.z) do local e = expect(z[1], 'zset'); if e then return e end end
for _, z in ipairs(plan.r) do local e = expect(z[1], 'zset'); if e then return e end end
for _, z in ipairs(plan.r) do redis.call('ZREM', KEYS[z[1]], z[2]) end
for _, s in ipairs(plan.s) do redis.call('SET', KEYS[s[1]], s[2]) end
for _, z in ipairs(plan.z) do redis.call('ZADD', KEYS[z[1]], z[2], z[3]) end
return 1
`;

const COMMAND = 'metadataRegistryApplyPlan';

// Keys go as one array (ioredis flattens it into the command): spread as arguments, a plan of
// some 120k keys overflowed the call stack.
type WithCommand = Redis & { [COMMAND](numberOfKeys: number, keys: string[], plan: string): Promise<number> };

/**
 * Applies a plan atomically (one Lua script); false when a guarded key changed meanwhile.
 * The script blocks every other client of the server while it runs: keep plans to a few
 * thousand records.
 */
export async function applyPlan(redis: Redis, plan: WritePlan): Promise<boolean> {
  const client = redis as WithCommand;
  if (typeof client[COMMAND] !== 'function') redis.defineCommand(COMMAND, { lua: APPLY_PLAN_LUA });
  const keys: string[] = [];
  const slot = new Map<string, number>();
  const ref = (key: string): number => {
    let index = slot.get(key);
    if (index === undefined) {
      index = keys.push(key); // Lua's KEYS are 1-based: the new length is the index
      slot.set(key, index);
    }
    return index;
  };
  const encoded = JSON.stringify({
    g: [...plan.guards].map(([key, value]) => [ref(key), value === null ? false : sha1(value)]),
    s: plan.sets.map(([key, value]) => [ref(key), value]),
    z: plan.zadds.map(([key, score, member]) => [ref(key), String(score), member]),
    r: plan.zrems.map(([key, member]) => [ref(key), member]),
  });
  return (await client[COMMAND](keys.length, keys, encoded)) === 1;
}

const sha1 = (value: string): string => createHash('sha1').update(value, 'utf8').digest('hex');
