/** The SQLSTATE of a failed query, on pg and PGlite alike. */
function sqlState(error: unknown): string | undefined {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.code ?? e?.driverError?.code;
}

/** A unique constraint refused the row (23505). */
export const isUniqueViolation = (error: unknown) => sqlState(error) === '23505';

/** A foreign key refused the row (23503): the row it points to is gone. */
export const isForeignKeyViolation = (error: unknown) => sqlState(error) === '23503';
