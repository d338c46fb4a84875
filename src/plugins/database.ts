/**
 * Closes the database last, after every other plugin has stopped (only when the app owns it: the server does, tests do
 * not).
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';

export async function databasePlugin(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void> {
  // onClose hooks run in reverse registration order: registered first, this one runs last.
  app.addHook('onClose', async () => {
    await opts.ctx.db.close();
  });
}
