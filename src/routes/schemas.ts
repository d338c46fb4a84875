/**
 * Zod schemas shared by the route files: request parameters, the error body and the shapes several routes
 * answer with. Routes declare request AND response schemas with these (fastify-type-provider-zod validates the
 * requests, serialises the replies and feeds /api/openapi.json).
 *
 * Replies are loose objects: the listed fields are checked and documented, and any other field a presenter adds
 * goes through untouched, so a schema can never strip something a client reads.
 */
import { z } from 'zod';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors.js';
import { SESSION_STATUSES } from '../db/queries/sessions.js';

/**
 * A reply object: the listed fields are validated and documented (`additionalProperties: {}`), every other field
 * passes through. Typed as a plain object of those fields: TypeScript interfaces (Estimate, Section...) have no
 * index signature, so the loose object's own type would refuse them although the runtime accepts them.
 */
export function looseObject<T extends z.core.$ZodShape>(shape: T): z.ZodObject<T> {
  return z.looseObject(shape) as unknown as z.ZodObject<T>;
}

export const idParams = z.object({
  id: z.string().min(1).max(200).describe('Session id (or your own client session id)'),
});

const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];

/** Every error answer: `{success: false, error, code}` (+ details for some codes). */
export const errorBody = z
  .looseObject({
    success: z.literal(false),
    error: z.string().describe('Human-readable message'),
    code: z.enum(ERROR_CODES).describe('Stable error code (docs/errors.md)'),
    details: z.unknown().optional(),
  })
  .meta({ id: 'Error' });

/** The 4xx/5xx entries every route's response map carries (they document the error shape in the OpenAPI). */
export const errorResponses = { '4xx': errorBody, '5xx': errorBody } as const;

const isoTime = z.string().describe('ISO 8601 time');
const status = z.enum(SESSION_STATUSES);

/** One analysis as the API presents it (`sessionSummary` in routes/api/sessions.ts). */
export const sessionSummarySchema = z
  .looseObject({
    session_id: z.string(),
    document_name: z.string(),
    status,
    created_at: isoTime,
    started_at: isoTime.nullable(),
    completed_at: isoTime.nullable(),
    engine: z.enum(['extractive', 'llm']),
    model: z.string().nullable(),
    thorough: z.boolean(),
    error: z.string().nullable(),
    total_pages: z.number().nullable(),
    total_questions: z.number().nullable(),
    questions_answered: z.number(),
    processing_time: z.number().nullable(),
    total_tokens: z.number(),
    estimated_cost: z.number(),
    enabled_sections: z.array(z.string()),
    guardrails: z.string(),
    stop_reason: z.string().nullable(),
    owner: z.string().nullable(),
  })
  .meta({ id: 'SessionSummary' });

/** A progress event: its type, index and time, plus the event's own fields. */
export const eventSchema = looseObject({ event: z.string(), index: z.number(), timestamp: isoTime }).meta({
  id: 'ProgressEvent',
});

/** An open JSON object (results, statistics): documented as an object, passed through as is. */
export const openObject = (description: string) =>
  z.looseObject({}).describe(description) as unknown as z.ZodType<object>;

/** A binary or text download: documents the content types; the bytes are sent as they are (no serialiser). */
export function downloadResponse(description: string, contentTypes: readonly string[]) {
  const schema = z.string().meta({ format: 'binary' });
  return { description, content: Object.fromEntries(contentTypes.map((type) => [type, { schema }])) };
}

/** Multipart file fields (documented as binary; the handler reads them from the stream, not from the body). */
export const fileField = (description: string) => z.string().meta({ format: 'binary', description });
