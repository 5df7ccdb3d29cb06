import { AuditEntryOut, Page, PageQuery, Slug } from '@edgeproof/contracts';
import { toAuditEntryOut } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { pageArgs, toPage } from '../../../services/pagination.ts';

const AuditQuery = PageQuery.extend({ model: Slug.optional() });

/** The audit log of approvals, overrides and revocations, newest first. */
const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/', { schema: { querystring: AuditQuery, response: { 200: Page(AuditEntryOut) } } }, async (request) => {
    const { model, ...page } = request.query;
    const rows = await app.db.auditEntry.findMany({ where: model ? { modelName: model } : {}, ...pageArgs(page) });
    return toPage(rows, page.limit, toAuditEntryOut);
  });
};
export default auditRoutes;
