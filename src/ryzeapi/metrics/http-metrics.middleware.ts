import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Metrics } from './metrics.service.js';

/**
 * Times every request, labelled by the matched route's pattern (`/api/instance/connect/:instance`),
 * never by its raw URL: names and tokens in paths would make one series per value.
 */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
