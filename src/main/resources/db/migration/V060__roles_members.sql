-- Issue 27: roles per org and room members who may approve.

-- A human's role in their org: admin (rooms, policies, agents, integrations, members, invitations,
-- grants), approver (decide, vote, post tasks and signals) or viewer (read only). Every human who
-- exists when this ships becomes admin, so nothing they could do stops working; humans arriving
-- later get theirs where they arrive (first of a new org: admin; by JWT: the role claim, else
-- approver; by invitation: the invitation's; by OIDC without one: WAITROOM_OIDC_DEFAULT_ROLE).
ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'admin'
  CHECK (role IN ('admin', 'approver', 'viewer'));
ALTER TABLE users ALTER COLUMN role SET DEFAULT 'approver';
CREATE INDEX users_admins ON users (org_id) WHERE role = 'admin';

-- Room members: the creator's 'owner' row (as before), and humans set by admins or the owner as
-- 'approver' or 'viewer'. A room with at least one 'approver' row accepts decisions only from its
-- approver members and its owner.
ALTER TABLE room_members ADD CONSTRAINT room_members_role
  CHECK (role IN ('owner', 'approver', 'viewer'));
ALTER TABLE room_members ADD COLUMN added_by text;
CREATE INDEX room_members_approvers ON room_members (room_id) WHERE role = 'approver';
CREATE INDEX room_members_user ON room_members (user_id);
