import { Initial1795657781831 } from './1795657781831-Initial.js';
import { WhatsAppSessions1795853173342 } from './1795853173342-WhatsAppSessions.js';

/** Every migration, in order. The service runs the pending ones at start. */
export const MIGRATIONS = [Initial1795657781831, WhatsAppSessions1795853173342];
