/** JSON schemas shared by several routes. */

/** `:id` of a session (our id or the caller's alias). */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;
