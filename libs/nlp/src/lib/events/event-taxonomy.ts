/**
 * The event taxonomy: `family.kind` types for ordinary news, each with the trigger lemmas
 * (single words or lemma phrases such as "check into") that signal it.
 *
 * A trigger is typed by its lemma phrase first, then by each of its lemmas; triggers that
 * match nothing get a fallback: `communication.statement` for reporting verbs is listed
 * explicitly, anything else is `general.occurrence`.
 */
export interface EventTypeDefinition {
  type: string;
  description: string;
  lemmas: readonly string[];
}

export const GENERIC_EVENT_TYPE = 'general.occurrence';

export const EVENT_TAXONOMY: readonly EventTypeDefinition[] = [
  { type: 'conflict.attack', description: 'Violent attack: shooting, bombing, stabbing, assault.',
    lemmas: ['attack', 'shoot', 'shooting', 'shot', 'gunfire', 'open fire', 'gun down', 'stab', 'stabbing', 'bomb', 'bombing', 'assault', 'ambush', 'raid', 'strike', 'airstrike', 'fight', 'clash', 'violence', 'massacre', 'rampage', 'beating', 'hijack', 'siege', 'war', 'invade', 'invasion', 'shell', 'target', 'gunman'] },
  { type: 'conflict.protest', description: 'Protest, riot or demonstration.',
    lemmas: ['protest', 'riot', 'demonstration', 'demonstrate', 'unrest', 'march', 'rally', 'strike action'] },
  { type: 'life.death', description: 'Someone dies or is killed.',
    lemmas: ['die', 'death', 'dead', 'kill', 'killing', 'murder', 'homicide', 'pass away', 'slay', 'slaying', 'execute', 'execution', 'fatal', 'fatality', 'suicide', 'drown', 'manslaughter', 'assassinate', 'assassination', 'body'] },
  { type: 'life.injury', description: 'Someone is injured or wounded.',
    lemmas: ['injure', 'injury', 'wound', 'hurt', 'casualty', 'bruise', 'fracture', 'concussion'] },
  { type: 'life.birth', description: 'Birth or pregnancy.', lemmas: ['bear', 'birth', 'pregnant', 'pregnancy', 'baby'] },
  { type: 'life.marriage', description: 'Marriage, engagement or divorce.', lemmas: ['marry', 'marriage', 'wedding', 'wed', 'engage', 'engagement', 'divorce', 'split'] },
  { type: 'justice.arrest', description: 'Arrest, detention or capture.',
    lemmas: ['arrest', 'detain', 'detention', 'capture', 'custody', 'in custody', 'apprehend', 'nab', 'catch', 'round up', 'surrender', 'turn in', 'book'] },
  { type: 'justice.stop', description: 'A police stop short of an arrest (a driver pulled over).', lemmas: ['pull over'] },
  { type: 'justice.charge', description: 'Charges, accusations, suspicion, indictments.',
    lemmas: ['charge', 'accuse', 'indict', 'indictment', 'allegation', 'allege', 'suspect', 'suspicion', 'on suspicion', 'prosecute', 'prosecution', 'sue', 'lawsuit', 'investigate', 'investigation', 'probe'] },
  { type: 'justice.trial', description: 'Trial, hearing, plea or verdict.',
    lemmas: ['trial', 'try', 'hearing', 'plead', 'plea', 'guilty', 'convict', 'conviction', 'acquit', 'acquittal', 'verdict', 'testify', 'testimony', 'court', 'appeal', 'arraign', 'arraignment'] },
  { type: 'justice.sentence', description: 'Sentence, prison term or fine.',
    lemmas: ['sentence', 'jail', 'imprison', 'imprisonment', 'prison term', 'prison', 'fine', 'probation', 'parole', 'hand down', 'community service'] },
  { type: 'justice.release', description: 'Release from custody, escape, bail.',
    lemmas: ['release', 'free', 'escape', 'bail', 'pardon', 'flee'] },
  { type: 'crime.theft', description: 'Robbery, theft, burglary, heist.',
    lemmas: ['rob', 'robbery', 'steal', 'theft', 'heist', 'burglary', 'burgle', 'loot', 'make off', 'hold up', 'carjack', 'fraud', 'embezzle'] },
  { type: 'crime.offense', description: 'Other offences: drunk driving, violations, vandalism.',
    lemmas: ['dui', 'drunk driving', 'drunken driving', 'driving under the influence', 'violate', 'violation', 'crime', 'vandalism', 'hit and run', 'crash into', 'smuggle', 'traffic'] },
  { type: 'disaster.earthquake', description: 'Earthquake or aftershock.',
    lemmas: ['earthquake', 'quake', 'tremor', 'aftershock', 'seismic', 'temblor', 'shake', 'jolt'] },
  { type: 'disaster.fire', description: 'Fire, blaze, arson.',
    lemmas: ['fire', 'blaze', 'burn', 'arson', 'flame', 'wildfire', 'catch fire', 'set fire', 'burn down', 'engulf', 'inferno', 'smoke'] },
  { type: 'disaster.explosion', description: 'Explosion or blast.', lemmas: ['explode', 'explosion', 'blast', 'detonate', 'blow up'] },
  { type: 'disaster.storm', description: 'Storm, flood, tsunami and other natural hazards.',
    lemmas: ['storm', 'hurricane', 'typhoon', 'cyclone', 'tornado', 'flood', 'flooding', 'tsunami', 'landslide', 'avalanche', 'eruption', 'erupt', 'drought', 'blizzard'] },
  { type: 'disaster.accident', description: 'Crash, collision, derailment, sinking.',
    lemmas: ['crash', 'collide', 'collision', 'derail', 'sink', 'capsize', 'accident', 'wreck', 'collapse', 'spill', 'leak', 'outage', 'go down'] },
  { type: 'personnel.election', description: 'Election, vote, nomination of candidates.',
    lemmas: ['elect', 'election', 'vote', 'ballot', 'poll', 'campaign', 'nominate', 'nomination', 'nominee', 'candidate', 'primary', 're-elect', 'inaugurate', 'inauguration', 'take office', 'swear'] },
  { type: 'personnel.appointment', description: 'Appointment, hiring, signing.',
    lemmas: ['appoint', 'appointment', 'hire', 're-hire', 'name', 'promote', 'choose', 'select', 'pick', 'tap', 'succeed', 'replace', 'take over', 'sign', 'draft', 'recruit', 'post'] },
  { type: 'personnel.resignation', description: 'Resignation, dismissal, retirement.',
    lemmas: ['resign', 'resignation', 'quit', 'step down', 'retire', 'retirement', 'dismiss', 'dismissal', 'sack', 'oust', 'let go', 'lay off', 'layoff', 'depart', 'departure', 'leave', 'cut'] },
  { type: 'business.acquisition', description: 'Acquisition, merger, takeover, purchase.',
    lemmas: ['acquire', 'acquisition', 'buy', 'purchase', 'merge', 'merger', 'takeover', 'deal', 'bid', 'offer', 'sell', 'sale', 'stake', 'invest', 'investment'] },
  { type: 'business.finance', description: 'Earnings, losses, prices, markets.',
    lemmas: ['earn', 'earnings', 'profit', 'loss', 'revenue', 'price', 'rise', 'fall', 'drop', 'surge', 'plunge', 'cost', 'pay', 'bankrupt', 'bankruptcy', 'debt', 'bailout', 'fund'] },
  { type: 'product.launch', description: 'Product launch, release or announcement of a product.',
    lemmas: ['launch', 'unveil', 'introduce', 'debut', 'release', 'ship', 'update', 'upgrade', 'roll out', 'premiere'] },
  { type: 'contact.meeting', description: 'Meeting, summit, talks, negotiation.',
    lemmas: ['meet', 'meeting', 'summit', 'talk', 'negotiation', 'negotiate', 'conference', 'visit', 'gather', 'convene', 'interview'] },
  { type: 'communication.statement', description: 'Statements, reports, announcements.',
    lemmas: ['say', 'tell', 'report', 'announce', 'announcement', 'confirm', 'state', 'statement', 'according to', 'claim', 'deny', 'reveal', 'disclose', 'comment', 'add', 'explain', 'describe', 'call', 'warn', 'declare', 'write', 'post', 'tweet'] },
  { type: 'movement.transport', description: 'Travel, movement, evacuation, transport.',
    lemmas: ['go', 'travel', 'move', 'arrive', 'return', 'enter', 'evacuate', 'evacuation', 'transport', 'send', 'deploy', 'fly', 'drive', 'head', 'come', 'bring', 'take', 'carry', 'rush', 'transfer', 'airlift'] },
  { type: 'sports.result', description: 'Games, wins and losses, scores, titles.',
    lemmas: ['win', 'victory', 'beat', 'defeat', 'lose', 'loss', 'score', 'game', 'match', 'playoff', 'playoffs', 'championship', 'title', 'clinch', 'touchdown', 'goal', 'draw', 'tie', 'tournament', 'season', 'round', 'final', 'record', 'play', 'lead', 'shot', 'seed', 'point', 'race', 'medal'] },
  { type: 'health.rehab', description: 'Rehab, treatment stays.',
    lemmas: ['rehab', 'rehabilitation', 'check into', 'check in', 'check out', 'treatment', 'treat', 'stay', 'recover', 'recovery', 'sober', 'addiction', 'detox'] },
  { type: 'health.medical', description: 'Illness, hospital stays, surgery.',
    lemmas: ['illness', 'ill', 'disease', 'heart attack', 'heart disease', 'heart failure', 'congestive heart failure', 'cancer', 'surgery', 'operation', 'hospitalize', 'admit', 'diagnose', 'diagnosis', 'stroke', 'sick', 'overdose', 'infection', 'outbreak', 'epidemic', 'pandemic', 'vaccine'] },
  { type: 'culture.award', description: 'Awards, ceremonies, nominations in arts and entertainment.',
    lemmas: ['award', 'oscar', 'oscars', 'academy award', 'ceremony', 'host', 'emmy', 'grammy', 'prize', 'honor', 'honour', 'festival', 'film', 'movie', 'star', 'concert', 'show', 'perform', 'performance', 'album'] },
  { type: 'politics.policy', description: 'Laws, policies, decisions, agreements.',
    lemmas: ['law', 'bill', 'pass', 'approve', 'ban', 'reject', 'sanction', 'agreement', 'agree', 'treaty', 'plan', 'policy', 'reform', 'decision', 'decide', 'order'] },
  { type: 'technology.it', description: 'Software, computing and internet events.',
    lemmas: ['hack', 'breach', 'crash', 'outage', 'patch', 'bug', 'download', 'install'] },
];

const BY_LEMMA = new Map<string, string>();
for (const definition of EVENT_TAXONOMY) {
  for (const lemma of definition.lemmas) {
    if (!BY_LEMMA.has(lemma)) BY_LEMMA.set(lemma, definition.type);
  }
}

// Two-word phrases by first word, so a pair is checked without building a string.
const PAIRS = new Map<string, Set<string>>();
for (const lemma of BY_LEMMA.keys()) {
  const words = lemma.split(' ');
  if (words.length !== 2) continue;
  let seconds = PAIRS.get(words[0]);
  if (!seconds) PAIRS.set(words[0], (seconds = new Set()));
  seconds.add(words[1]);
}

/** Whether two lemmas form a two-word phrase of the taxonomy ("open fire"). */
export function isTaxonomyPair(first: string, second: string): boolean {
  return PAIRS.get(first)?.has(second) ?? false;
}

/** All taxonomy types, fallback included. */
export const EVENT_TYPES: readonly string[] = [...EVENT_TAXONOMY.map((definition) => definition.type), GENERIC_EVENT_TYPE];

/** Whether a lemma (or lemma phrase) is listed in the taxonomy. */
export function isTaxonomyLemma(lemma: string): boolean {
  return BY_LEMMA.has(lemma);
}

const FILLERS = new Set(['a', 'an', 'the', 'himself', 'herself', 'themselves', 'itself', 'myself', 'yourself', 'him', 'her', 'them', 'it', 'he', 'she', 'they']);

/**
 * The taxonomy type of a trigger, from its lemmas (in text order): the whole phrase first,
 * then the last word (the head of nominal triggers), then the others; else the fallback.
 */
export function eventTypeOf(lemmas: readonly string[]): string {
  const direct = BY_LEMMA.get(lemmas.join(' '));
  if (direct) return direct;
  // "checked herself into": the phrase without its pronouns and articles.
  const content = lemmas.filter((lemma) => !FILLERS.has(lemma));
  if (content.length > 1) {
    const phrase = BY_LEMMA.get(content.join(' '));
    if (phrase) return phrase;
  }
  for (let i = lemmas.length - 1; i >= 0; i--) {
    const type = BY_LEMMA.get(lemmas[i]);
    if (type) return type;
  }
  return GENERIC_EVENT_TYPE;
}
