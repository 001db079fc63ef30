/** True when a query failed on a unique constraint (SQLSTATE 23505), on pg and PGlite alike. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.code === '23505' || e?.driverError?.code === '23505';
}
