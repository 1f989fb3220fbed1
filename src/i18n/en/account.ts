// Filled in by its area's pages (see catalogue.ts).
export const account = {};
