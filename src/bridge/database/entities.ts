import { Integration } from '../integrations/integration.entity.js';
import { Chat } from '../relay/chat.entity.js';
import { MessageLink } from '../relay/message-link.entity.js';
import { Command } from '../replies/command.entity.js';

export const BRIDGE_ENTITIES = [Integration, Chat, MessageLink, Command];
