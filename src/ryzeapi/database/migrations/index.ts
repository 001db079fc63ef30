import { Initial1795657781831 } from './1795657781831-Initial.js';
import { WhatsAppSessions1795853173342 } from './1795853173342-WhatsAppSessions.js';
import { RateLimits1796000000000 } from './1796000000000-RateLimits.js';
import { ChannelOwners1796000000001 } from './1796000000001-ChannelOwners.js';

/** Every migration, in order. The service runs the pending ones at start. */
export const MIGRATIONS = [Initial1795657781831, WhatsAppSessions1795853173342, RateLimits1796000000000, ChannelOwners1796000000001];
