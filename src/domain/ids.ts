import { monotonicFactory } from 'ulidx';

// Monotonic so ids made in the same millisecond still sort in creation order (keyset paging).
export const newId: () => string = monotonicFactory();
