/** Scheduled housekeeping (src/jobs/maintenance.ts): timers started when the app is ready, cleared on close. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { startMaintenance } from '../jobs/maintenance.js';

export async function maintenancePlugin(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  let maintenance: { stop(): void } | null = null;
  app.addHook('onReady', async () => {
    maintenance = startMaintenance(opts.ctx, app.log.child({ component: 'maintenance' }));
  });
  app.addHook('onClose', async () => {
    maintenance?.stop();
  });
}
