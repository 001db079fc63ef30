import type { Abstract, DynamicModule } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';

/**
 * @nestjs/config's ConfigModule, global, holding a configuration the entry point has already read
 * and validated (before building the app, so a bad variable ends the process with its name). The
 * environment is not read again: `ignoreEnvFile`, `ignoreEnvVars`, `skipProcessEnv`. The configuration is
 * registered under `namespace` (ConfigService.get(namespace)) and provided as `token`, the typed
 * class services inject.
 */
export async function typedConfigModule<T extends object>(token: Abstract<T>, namespace: string, config: T): Promise<DynamicModule> {
  const registered = registerAs(namespace, () => config);
  const module = await ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, ignoreEnvVars: true, skipProcessEnv: true, load: [registered] });
  return {
    ...module,
    providers: [...(module.providers ?? []), { provide: token, useExisting: registered.KEY }],
    exports: [...(module.exports ?? []), token],
  };
}
