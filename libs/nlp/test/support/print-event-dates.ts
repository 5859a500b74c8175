/**
 * Prints the event dates of one document (JSON, argv[2]) as JSON: the host-time-zone test runs it
 * under several TZ values, since a test cannot change the zone of its own process.
 */
import { analyzeDocument } from '../../src/lib/document/document-analyzer';
import { parseInputDocument } from '../../src/lib/document/input-document.schema';

const document = parseInputDocument(JSON.parse(process.argv[2] ?? '{}'));
const analysed = analyzeDocument(document);
console.log(JSON.stringify({ offset: new Date(Date.UTC(2013, 4, 3)).getTimezoneOffset(), dates: analysed.events.map((e) => [e.trigger.text, e.event_date]) }));
