import { BridgeInitial1795852246709 } from './1795852246709-BridgeInitial.js';
import { BridgeCommands1795853841292 } from './1795853841292-BridgeCommands.js';

/** Every migration of the bridge, in order; run at start, tracked in `bridge_migrations`. */
export const BRIDGE_MIGRATIONS = [BridgeInitial1795852246709, BridgeCommands1795853841292];
