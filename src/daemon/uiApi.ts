import { z } from 'zod';
import type { DashboardHost } from '../ui/DashboardHost.js';
import { method, methods } from './method.js';

const UiOpenInput = z.object({
  port: z.number().int().min(1).max(65_535).optional().describe('Port on 127.0.0.1 (default 7420, or the next free one).'),
  write: z.boolean().optional().describe('Answer the URL of the write token (board moves and comments).'),
});

/** `ui.open`: starts the dashboard if it is not running and answers its URL with a token. */
export function buildUiApi(dashboard: DashboardHost) {
  return methods({
    'ui.open': method(UiOpenInput, (p) => dashboard.open(p)),
  });
}
