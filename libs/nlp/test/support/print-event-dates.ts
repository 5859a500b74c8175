/**
 * Prints the event dates of one document (JSON, argv[2]) as JSON: the host-time-zone test runs it
 * under several TZ values, since a test cannot change the zone of its own process.
 */
import { analyzeDocument } from '../../src/lib/document/document-analyzer';
import { parseInputDocument } from '../../src/lib/document/input-document.schema';
import { publicationReference, resolveDate } from '../../src/lib/events/event-date';

const document = parseInputDocument(JSON.parse(process.argv[2] ?? '{}'));
const analysed = analyzeDocument(document);
// resolveDate alone too, with expressions the tokenizer never tags as dates ("last night").
const expressions = ['last night', "last night's", 'yesterday', 'the day before yesterday', 'tonight', 'midnight', 'on Tuesday', 'two days ago', 'this week', 'earlier this month', 'this year'];
// The last one is a time America/Nuuk's clock skips (23:00 -> 00:00 on 29 March 2025).
const publications = ['2013-05-03', '2013-05-03T22:00:00-05:00', '2013-05-03T01:00:00+09:00', '2013-05-04T23:00:00', '2013-01-01T00:10:00+05:30', '2025-03-29T23:30:00Z'];
const resolved = publications.flatMap((publication) =>
  expressions.map((expression) => [publication, expression, resolveDate(expression, publicationReference(publication))?.iso ?? null]),
);
console.log(
  JSON.stringify({ offset: new Date(Date.UTC(2013, 4, 3)).getTimezoneOffset(), dates: analysed.events.map((e) => [e.trigger.text, e.event_date]), resolved }),
);
