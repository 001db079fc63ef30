import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';

/** Stands in for the body of a request whose JSON could not be parsed. */
export const MALFORMED_JSON = Symbol('malformed JSON');

/**
 * express.json, except that a body that is not valid JSON does not fail the request here: the
 * contract answers the token, the module and the instance before the body, so the 400 comes from
 * body validation (BodyValidationPipe or the handler), in its place.
 */
export function jsonBodyParser(limit: string): RequestHandler {
  const parse = json({ limit });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (error?: unknown) => {
      if ((error as { type?: string } | undefined)?.type !== 'entity.parse.failed') return next(error);
      req.body = MALFORMED_JSON;
      next();
    });
}
