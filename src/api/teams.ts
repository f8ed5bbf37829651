import { createRoute, z } from '@hono/zod-openapi';
import { addTeamMembers, createTeam, deleteTeam, getTeam, listTeams, removeTeamMember, renameTeam } from '../domain/people/teams.js';
import { auditAct } from './audit-act.js';
import { router } from './env.js';
import { deleteRoute } from './resource-routes.js';
import { errors, IdParam, jsonBody, jsonResponse } from './schemas.js';

export const TeamSchema = z.object({ id: z.string(), name: z.string(), memberIds: z.array(z.string()), createdAt: z.string() }).openapi('Team');
const Name = z.string().trim().min(1).max(200);
const UserIds = z.array(z.string().min(1)).max(500);

export const teamRoutes = () => {
  const app = router();
  app.openapi(createRoute({ method: 'get', path: '/teams', tags: ['Teams'], summary: 'All teams with their members',
    responses: { 200: jsonResponse(z.object({ data: z.array(TeamSchema), nextCursor: z.null() }), 'Teams'), ...errors } }),
  async (c) => c.json({ data: await listTeams(c.var.deps), nextCursor: null }, 200));

  app.openapi(createRoute({ method: 'post', path: '/teams', tags: ['Teams'], summary: 'Create a team (lead, admin)',
    request: jsonBody(z.object({ name: Name, userIds: UserIds.optional() })), responses: { 201: jsonResponse(TeamSchema, 'The team'), ...errors } }),
  async (c) => {
    const team = await createTeam(c.var.deps, c.var.actor, c.req.valid('json'));
    await auditAct(c, { action: 'team.created', targetType: 'team', targetId: team.id, details: { name: team.name, memberIds: team.memberIds } });
    return c.json(team, 201);
  });

  app.openapi(createRoute({ method: 'get', path: '/teams/{id}', tags: ['Teams'], summary: 'One team',
    request: { params: IdParam }, responses: { 200: jsonResponse(TeamSchema, 'The team'), ...errors } }),
  async (c) => c.json(await getTeam(c.var.deps, c.req.valid('param').id), 200));

  app.openapi(createRoute({ method: 'patch', path: '/teams/{id}', tags: ['Teams'], summary: 'Rename a team (lead, admin)',
    request: { params: IdParam, ...jsonBody(z.object({ name: Name })) }, responses: { 200: jsonResponse(TeamSchema, 'The team'), ...errors } }),
  async (c) => {
    const team = await renameTeam(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json').name);
    await auditAct(c, { action: 'team.renamed', targetType: 'team', targetId: team.id, details: { name: team.name } });
    return c.json(team, 200);
  });

  deleteRoute(app, { path: '/teams/{id}', tag: 'Teams', summary: 'Delete a team; its conversations lose the team (lead, admin)', remove: deleteTeam, audit: 'team' });

  app.openapi(createRoute({ method: 'post', path: '/teams/{id}/members', tags: ['Teams'], summary: 'Add members (lead, admin)',
    request: { params: IdParam, ...jsonBody(z.object({ userIds: UserIds.min(1) })) }, responses: { 200: jsonResponse(TeamSchema, 'The team'), ...errors } }),
  async (c) => {
    const team = await addTeamMembers(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('json').userIds);
    await auditAct(c, { action: 'team.members_added', targetType: 'team', targetId: team.id, details: { userIds: c.req.valid('json').userIds } });
    return c.json(team, 200);
  });

  app.openapi(createRoute({ method: 'delete', path: '/teams/{id}/members/{userId}', tags: ['Teams'], summary: 'Remove a member (lead, admin)',
    request: { params: z.object({ id: z.string().min(1).max(100), userId: z.string().min(1).max(100) }) }, responses: { 200: jsonResponse(TeamSchema, 'The team'), ...errors } }),
  async (c) => {
    const team = await removeTeamMember(c.var.deps, c.var.actor, c.req.valid('param').id, c.req.valid('param').userId);
    await auditAct(c, { action: 'team.member_removed', targetType: 'team', targetId: team.id, details: { userId: c.req.valid('param').userId } });
    return c.json(team, 200);
  });
  return app;
};
