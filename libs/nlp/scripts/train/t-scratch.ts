import { analyzeDocument, parseInputDocument } from '../../src/index';
for (const text of ['An earthquake struck northern Iran on Sunday.', 'A powerful earthquake struck northern Iran on Sunday, killing at least 10 people.', 'A magnitude 6.1 earthquake struck northern Iran.', 'The quake killed 10 people.', 'The earthquake destroyed seven villages.'])
  console.log(text, analyzeDocument(parseInputDocument({ document_id: 'x', text })).events.map((e) => `${e.trigger.text}:${e.event_type}:${e.confidence}`));
