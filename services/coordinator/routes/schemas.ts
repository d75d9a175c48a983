// JSON schemas shared by the routes (request parameters, replies, the error document).
export const HEX32 = '^0x[0-9a-fA-F]{64}$';

export const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: HEX32 } },
} as const;

export const str = { type: 'string' } as const;
export const int = { type: 'integer' } as const;
export const num = { type: 'number' } as const;
export const bool = { type: 'boolean' } as const;
export const date = { type: 'string', format: 'date-time' } as const;
export const nullableStr = { type: ['string', 'null'] } as const;
/** Any JSON value (ABIs, inputs), serialized as it is. */
export const anyJson = {} as const;

/** An object reply whose listed properties are all present. */
export function object<P extends Record<string, unknown>>(properties: P) {
  return { type: 'object', required: Object.keys(properties), properties } as const;
}

export function arrayOf<I>(items: I) {
  return { type: 'array', items } as const;
}

/** Every 4xx/5xx reply: `{ error: { code, message, details? } }`. */
export const errorReply = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: str, message: str, details: { type: 'object', additionalProperties: true } },
    },
  },
} as const;

/** The error replies a route may give, for its response schema. */
export const errorReplies = { '4xx': errorReply, '5xx': errorReply } as const;
