/** Types of database-template.js (plain JavaScript: Jest's globalSetup loads it untransformed). */
export function scratchDir(): string;
export function adminQuery(url: string, sql: string): Promise<void>;
export default function globalSetup(globalConfig?: unknown): Promise<void>;
export function globalTeardown(): Promise<void>;
