/** Injection token for the BridgeConfig of an enabled module. */
export const BRIDGE_CONFIG = Symbol('BRIDGE_CONFIG');

export const MODULE_DISABLED_MESSAGE = 'integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)';
