/** A `$ref` to one of the hand-written component schemas of `schemas.ts`. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
