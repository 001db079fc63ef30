import { Initial1795657781831 } from './1795657781831-Initial.js';

/** Every migration, in order. The service runs the pending ones at start. */
export const MIGRATIONS = [Initial1795657781831];
