import { HttpStatus } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { METHODS } from 'node:http';

/** The parts of Express 5's router (the `router` package) this reads: its route layers. */
interface RouteLayer {
  matchers: ((path: string) => unknown)[];
  route: { _handlesMethod(method: string): boolean; _methods(): string[] };
}

/**
 * 405 with `Allow` for a method a known path does not support; unknown paths go on to the 404.
 * The routes are Express's own, read at the first request, once every route is registered, and
 * matched with Express's own matchers (so case, trailing slashes and parameters match as routing does).
 */
export function methodNotAllowed(app: NestExpressApplication): RequestHandler {
  let routes: RouteLayer[] | undefined;
  const matches = (layer: RouteLayer, path: string) => {
    try {
      return layer.matchers.some((match) => match(path));
    } catch {
      return false; // a malformed %-escape: routing answers it
    }
  };
  return (req: Request, res: Response, next: NextFunction) => {
    // Routes taking every method do not count: Nest mounts its middleware as such routes (`{/*splat}`),
    // and the disabled Chatwoot module's catch-all must answer 503 to any method.
    routes ??= (app.getHttpAdapter().getInstance().router.stack as unknown as Partial<RouteLayer>[]).filter(
      (layer): layer is RouteLayer => !!layer.route && !METHODS.every((method) => layer.route!._handlesMethod(method)),
    );
    const known = routes.filter((layer) => matches(layer, req.path));
    if (known.length === 0 || known.some((layer) => layer.route._handlesMethod(req.method))) return next();
    const allow = [...new Set(known.flatMap((layer) => layer.route._methods()))].join(', ');
    res.setHeader('Allow', allow);
    res.status(HttpStatus.METHOD_NOT_ALLOWED).json({ success: false, error: { message: `method ${req.method} not allowed; allowed: ${allow}` } });
  };
}
