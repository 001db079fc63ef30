import { Account } from '../accounts/account.entity.js';
import { ApiToken } from '../auth/api-token.entity.js';
import { ChatwootIntegration } from '../chatwoot/chatwoot-integration.entity.js';
import { ChatwootCommand } from '../chatwoot/channel/chatwoot-command.entity.js';
import { ChatwootEvent } from '../chatwoot/channel/chatwoot-event.entity.js';
import { WhatsAppAuthState } from '../engine/baileys/auth-state.entity.js';
import { WhatsAppMessage } from '../engine/baileys/whatsapp-message.entity.js';
import { SandboxMessage } from '../engine/sandbox/sandbox-message.entity.js';
import { Instance } from '../instances/instance.entity.js';

export const ENTITIES = [Account, Instance, ApiToken, SandboxMessage, ChatwootIntegration, ChatwootEvent, ChatwootCommand, WhatsAppAuthState, WhatsAppMessage];
