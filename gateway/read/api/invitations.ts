/** Invitations (邀约): record, list, each one's journey, and the per-campaign / per-staff outcome report. */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Compile } from 'typebox/compile';
import { typed } from '../../../common/typed-routes.js';
import {
  InvitationReport,
  InvitationReportQuery,
  Invitations,
  JourneyQuery,
  Journeys,
  LimitedRangeQuery,
  NewInvitation,
  RecordedInvitation,
} from '../../../protocols/http-api.js';
import type { Clock } from '../../infra/clock/index.js';
import type { ReferenceData } from '../../infra/reference/index.js';
import type { Ingest } from '../../pipeline/ingest/index.js';
import type { InvitationStore } from '../../pipeline/invitations/store.js';
import type { InvitationRecorded } from '../../pipeline/journal/index.js';
import { BadRequestError } from './errors.js';
import { type LocalDays, optionalString, parseLimit, parseRange } from './query.js';

const checkNew = Compile(NewInvitation);

export function invitationRoutes(deps: {
  invitations: InvitationStore;
  ingest: Ingest;
  reference: ReferenceData;
  clock: Clock;
  days: LocalDays;
  /** How far back (the invitation window) and ahead (clock skew) an invitation's `ts` may be. */
  bounds: { readonly earliestMs: number; readonly skewBoundMs: number };
}) {
  return (untyped: FastifyInstance) => {
    const app = typed(untyped);
    app.post('/invitations', { schema: { response: { 201: RecordedInvitation } } }, async (request, reply) => {
      const body: unknown = request.body;
      if (!checkNew.Check(body)) {
        const first = checkNew.Errors(body)[0];
        throw new BadRequestError(
          `${first?.instancePath || '/'}: ${first?.message ?? 'invalid'}`,
          'INVALID_INVITATION',
        );
      }
      if (!deps.reference.memberById(body.member))
        throw new BadRequestError(`unknown member ${body.member}`, 'UNKNOWN_MEMBER');
      const now = deps.clock.now();
      // An invitation is recorded when it is made or within days after: not before the
      // attribution window (invitationWindow, default 14 d: an older one can attribute nothing
      // and would only rewrite reports already read) and not in the future beyond the clock skew.
      if (body.ts !== undefined) {
        const at = Date.parse(body.ts);
        if (at < now - deps.bounds.earliestMs) {
          throw new BadRequestError(
            `ts must not be earlier than ${new Date(now - deps.bounds.earliestMs).toISOString()} (the invitation window)`,
            'INVITATION_TOO_OLD',
          );
        }
        if (at > now + deps.bounds.skewBoundMs) {
          throw new BadRequestError('ts must not be in the future', 'INVITATION_IN_FUTURE');
        }
      }
      const invitation = {
        id: randomUUID(),
        member: body.member,
        staff: body.staff,
        ...(body.staffName === undefined ? {} : { staffName: body.staffName.trim() }),
        channel: body.channel,
        campaign: body.campaign,
        ts: body.ts === undefined ? now : Date.parse(body.ts),
      };
      const event: InvitationRecorded = {
        type: 'invitation.recorded',
        device: 'api',
        id: invitation.id,
        ts: invitation.ts,
        rxTs: now,
        flags: 0,
        invitation,
      };
      // 201 only once the invitation is journaled (durable) like any device input.
      await new Promise<void>((resolve, reject) =>
        deps.ingest.fromDriver('api', [event], (err) => (err ? reject(err) : resolve())),
      );
      // Answered as GET /invitations lists it: the person's name, else the sign-in name.
      return reply
        .status(201)
        .send({ invitation: { ...invitation, staffName: invitation.staffName ?? invitation.staff } });
    });

    const listSchema = { querystring: LimitedRangeQuery, response: { 200: Invitations } };
    app.get('/invitations', { schema: listSchema }, async (request) => {
      const { query } = request;
      const { from, to } = parseRange(query, deps.clock.now(), deps.days);
      const list = deps.invitations.list(from, to, parseLimit(query.limit, 500, 5000));
      return { invitations: list.map((i) => ({ ...i, name: deps.reference.memberById(i.member)?.name ?? null })) };
    });

    // Per person: invited → arrived → tried → bought, with the member's name (stripped for viewers).
    const journeySchema = { querystring: JourneyQuery, response: { 200: Journeys } };
    app.get('/invitations/journey', { schema: journeySchema }, async (request) => {
      const { query } = request;
      const { from, to } = parseRange(query, deps.clock.now(), deps.days);
      const rows = deps.invitations.journeys(
        from,
        to,
        parseLimit(query.limit, 500, 5000),
        optionalString(query.campaign, 'campaign'),
      );
      return { journeys: rows.map((j) => ({ ...j, name: deps.reference.memberById(j.member)?.name ?? null })) };
    });

    const reportSchema = { querystring: InvitationReportQuery, response: { 200: InvitationReport } };
    app.get('/invitations/report', { schema: reportSchema }, async (request) => {
      const { query } = request;
      const { from, to } = parseRange(query, deps.clock.now(), deps.days);
      return deps.invitations.report(from, to, optionalString(query.campaign, 'campaign'));
    });
  };
}
