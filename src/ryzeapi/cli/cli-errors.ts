import { ConfigError } from '../../shared/config/config.error.js';
import { DataDirInUseError } from '../../shared/database/data-dir.lock.js';

/** What a CLI prints when it fails: what to do, never a stack. */
export function cliFailure(command: string, error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof DataDirInUseError) {
    return (
      `${command}: the embedded database in DATA_DIR ${error.dir} is in use by the running RyzeAPI service ` +
      `(process ${error.pid}${error.elsewhere ? ` on host ${error.host}` : ''}), and it allows one process at a time.\n` +
      `Either stop the service (Ctrl-C, or docker stop) and run this again, then start the service again;\n` +
      `or leave it running and work through it: its first start wrote its first account's TokenAccount to a file it named in its log ` +
      `(by default DATA_DIR/first-account-token), and that account creates instances through the API ` +
      `(POST /api/instance/new). Run on PostgreSQL (DATABASE_URL) to use this command while the service runs.` +
      (error.elsewhere ? `\nIf that process no longer runs, delete ${error.file}.` : '')
    );
  }
  return `${command} failed: ${error instanceof Error ? error.message : String(error)}`;
}
