import type { InstanceRef } from '../engine/engine.types.js';
import type { ChatwootSettingsDto } from './dto/chatwoot-settings.dto.js';

/** The `chatwoot` block of POST /api/instance/new's answer. */
export type InlineActivation =
  | { status: 'active'; bridge_integration_id: string }
  | { status: 'error'; error: string };

/**
 * What creating and deleting an instance needs from the Chatwoot module, enabled or not. Both
 * methods are called by InstanceLifecycleService with the instance's lock held (InstanceLock).
 */
export abstract class InstanceIntegration {
  /**
   * For POST /api/instance/new: never throws; reports what `set` would have answered, invalid
   * settings included (`settings` validates them, in set's order: after the module check).
   */
  abstract activateInline(instance: InstanceRef, settings: () => Promise<ChatwootSettingsDto>): Promise<InlineActivation>;

  /** The instance is being deleted: remove its integration, if any. */
  abstract removeWithInstance(instance: InstanceRef): Promise<void>;
}
