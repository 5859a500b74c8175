/** Media types POST /batches reads, as a client should be told them. */
const ACCEPTED = 'application/json (an array of documents, or {"documents": [...]}) or application/x-ndjson (one document a line)';

/** Stage 2's answer to one of fastify's request-body errors: what is wrong, in the API's own codes. */
export interface BodyErrorReply {
  status: number;
  body: { error: string; message: string };
}

/**
 * Maps fastify's body errors (`FST_ERR_CTP_*`) to answers that say what to change: a 413 names the
 * setting that caps the body, and malformed JSON is the same invalid batch as any other bad body.
 * Other errors are not body errors: null.
 */
export function bodyErrorReply(error: unknown, maxBodyBytes: number): BodyErrorReply | null {
  switch ((error as { code?: unknown } | null)?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: {
          error: 'STAGE2_BODY_TOO_LARGE',
          message: `the request body is larger than STAGE2_MAX_BODY_BYTES (${maxBodyBytes} bytes): send the documents in smaller batches, or raise STAGE2_MAX_BODY_BYTES`,
        },
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return invalidBatch('the body is not valid JSON (content-type application/json); send valid JSON, or NDJSON as application/x-ndjson');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalidBatch('the body is empty: the batch holds no documents');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { error: 'STAGE2_UNSUPPORTED_MEDIA_TYPE', message: `unsupported content-type: send ${ACCEPTED}` } };
    default:
      return null;
  }
}

function invalidBatch(message: string): BodyErrorReply {
  return { status: 400, body: { error: 'STAGE2_INVALID_BATCH', message } };
}
