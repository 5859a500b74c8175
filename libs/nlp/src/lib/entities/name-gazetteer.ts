import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS_DIR } from '../learning/linear-model';

/** The committed gazetteer file (built by scripts/train.ts). */
export interface NameGazetteerJson {
  format: 'name-gazetteer/1';
  attribution: string;
  /** Normalised (see normaliseName) English first names. */
  first_names: string[];
  /** Normalised names of countries, continents, US states and cities. */
  places: string[];
  /** Normalised names of countries, continents and US states (a subset of `places`). */
  regions: string[];
}

export const NAME_GAZETTEER_FILE = 'name-gazetteer.json';

interface NameGazetteer {
  firstNames: ReadonlySet<string>;
  places: ReadonlySet<string>;
  regions: ReadonlySet<string>;
}

let gazetteer: NameGazetteer | null = null;

/** The committed gazetteer, read once. */
export function nameGazetteer(): NameGazetteer {
  if (!gazetteer) {
    const json = JSON.parse(readFileSync(join(MODELS_DIR, NAME_GAZETTEER_FILE), 'utf8')) as NameGazetteerJson;
    gazetteer = { firstNames: new Set(json.first_names), places: new Set(json.places), regions: new Set(json.regions) };
  }
  return gazetteer;
}
