/** The API's objects and request bodies, as the server sends and accepts them (snake_case). */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';
export type Urgency = 'low' | 'normal' | 'high' | 'urgent';
export type TimeoutAction = 'auto_approve' | 'cancel' | 'hold';
export type PolicyEffect = 'forbid' | 'auto_approve' | 'require_approval';
export type CheckInStatus =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'modified'
  | 'expired'
  | 'withdrawn'
  | 'in_progress'
  | 'submitted';
export type Direction = 'agent_to_human' | 'human_to_agent';
export type MessageType = 'comment' | 'result' | 'question' | 'escalation' | 'status_change' | 'decision';

/** Canonical event types of the room stream. */
export type EventType =
  | 'checkin.created'
  | 'checkin.approved'
  | 'checkin.rejected'
  | 'checkin.modified'
  | 'checkin.expired'
  | 'checkin.withdrawn'
  | 'checkin.claimed'
  | 'checkin.released'
  | 'checkin.submitted'
  | 'checkin.message'
  | 'checkin.help_requested'
  | 'checkin.helper_joined'
  | 'checkin.vote'
  | 'checkin.escalated'
  | 'signal.broadcast'
  | 'watcher.triggered';

/** A type or an alias the server accepts when filtering (`check_in.X`, `checkin.decided`). */
export type EventTypeFilter = EventType | 'checkin.decided' | 'check_in.decided' | `check_in.${string}`;

/** A list page: `data`, the opaque `cursor` of the next page (null on the last) and `has_more`. */
export interface Page<T> {
  data: T[];
  cursor: string | null;
  has_more: boolean;
}

export interface ListParams {
  limit?: number;
  cursor?: string;
}

/** How a quorum check-in's rejects count: one is enough, or once approval is out of reach. */
export type QuorumReject = 'any' | 'majority';

/** "Any N of these humans" must approve; `approvers` null or absent means every human of the org. */
export interface Quorum {
  required: number;
  approvers?: string[] | null;
  reject?: QuorumReject;
}

/** The quorum a check-in was created with, as the server fixed it. */
export interface CheckInQuorum {
  required: number;
  approvers: string[] | null;
  reject: QuorumReject;
}

/** One human's decision on a quorum check-in. */
export interface Vote {
  voter: string;
  verdict: 'approved' | 'rejected' | 'modified';
  reason: string | null;
  modifications: JsonObject | null;
  /** The channel the vote came through (see `Decision.via`). */
  via?: DecisionVia | null;
  at: string;
}

/** How a human's decision was made; null when no human decided (policy, trust, grant, timeout). */
export type DecisionVia = 'dashboard' | 'api' | 'email' | 'push' | 'slack' | 'link';

/** One escalation step: after `after_minutes` without an answer, raise urgency and notify. */
export interface EscalationStep {
  after_minutes: number;
  urgency?: Urgency | null;
  notify?: 'all' | string[];
}

export interface Decision {
  type: 'approved' | 'rejected' | 'modified' | 'expired';
  reason: string | null;
  modifications: JsonObject | null;
  /** A user (on a quorum check-in the deciding voter), or `system:policy|trust|grant|timeout`. */
  decided_by: string;
  decided_at: string;
  /** How a human decided (`dashboard`, `api`, `email`, `push`, `slack`, `link`); null otherwise. */
  via?: DecisionVia | null;
  /** A quorum check-in's votes, oldest first; null without a quorum. */
  votes?: Vote[] | null;
}

export interface PolicyOutcome {
  result: PolicyEffect;
  rule_id: string | null;
  reason: string;
  /** The standing grant that approved (only then; `decided_by` is `system:grant`). */
  grant_id?: string;
}

export interface CheckIn {
  id: string;
  room_id: string;
  direction: Direction;
  agent_id: string | null;
  created_by: string;
  action: string;
  description: string | null;
  risk_level: RiskLevel;
  urgency: Urgency;
  context: JsonObject;
  status: CheckInStatus;
  timeout_minutes: number | null;
  timeout_action: TimeoutAction | null;
  expires_at: string | null;
  decision: Decision | null;
  claimed_by: string | null;
  help_requested: boolean;
  policy: PolicyOutcome | null;
  created_at: string;
  updated_at: string;
  /** The quorum fixed at creation; null when one human decides. */
  quorum: CheckInQuorum | null;
  /** Each human decision on a quorum check-in, oldest first (empty otherwise). */
  votes: Vote[];
  /** Approvals still missing; 0 once decided; null without a quorum. */
  approvals_needed: number | null;
  /** Escalation steps fired so far (0 before the first). */
  escalation_level: number;
  /** `sha256:` + hex of SHA-256 over the RFC 8785 JSON of {action, description, risk_level, urgency, context}. */
  payload_hash: string;
  /** The decision's signed receipt (compact JWS, EdDSA); null until decided. */
  receipt: string | null;
}

/** What a receipt's signature covers. */
export interface ReceiptClaims {
  iss: string;
  check_in_id: string;
  org_id: string;
  room_id: string;
  agent_id: string | null;
  payload_hash: string;
  decision: 'approved' | 'rejected' | 'modified' | 'expired';
  modifications_hash: string | null;
  /** A `usr_` id, or `system` for the server's own decisions (timeouts, policy, trust, grants). */
  decided_by: string;
  via: string;
  decided_at: string;
  iat: number;
}

/** `GET /v1/check-ins/:id/status`: the check-in plus flat decision fields. */
export interface CheckInStatusView extends CheckIn {
  decision_reason: string | null;
  modifications: JsonObject | null;
}

export interface Participant {
  agent_id: string;
  role: 'primary' | 'helper';
  joined_at: string;
}

export interface CheckInWithParticipants extends CheckIn {
  participants: Participant[];
}

export interface CheckInDetail extends CheckInWithParticipants {
  messages: Message[];
}

export interface CheckInInput {
  action: string;
  description?: string;
  risk_level?: RiskLevel;
  urgency?: Urgency;
  context?: JsonObject;
  timeout_minutes?: number;
  timeout_action?: TimeoutAction;
}

export type TaskInput = Omit<CheckInInput, 'timeout_minutes' | 'timeout_action'>;

export interface PendingListParams extends ListParams {
  status?: 'pending' | 'approved' | 'rejected' | 'modified' | 'expired' | 'withdrawn';
  risk_level?: RiskLevel;
  urgency?: Urgency;
  agent_id?: string;
}

export interface TaskListParams extends ListParams {
  claimed?: boolean;
  status?: CheckInStatus;
}

export interface ClaimedListParams extends ListParams {
  status?: CheckInStatus;
}

export interface Attachment {
  name: string;
  url?: string;
  content?: string;
  content_type?: string;
}

export interface Message {
  id: string;
  check_in_id: string;
  author_type: 'agent' | 'human' | 'system';
  author_id: string;
  message_type: MessageType;
  body: string;
  metadata: JsonObject;
  attachments: Attachment[];
  created_at: string;
}

export interface MessageInput {
  body: string;
  message_type?: 'comment' | 'result' | 'question' | 'escalation';
  metadata?: JsonObject;
  attachments?: Attachment[];
}

export interface Conditions {
  action_contains?: string | string[];
  action_matches?: string;
  risk_level?: RiskLevel | RiskLevel[];
  urgency?: Urgency | Urgency[];
  agent_id?: string | string[];
  context?: { [path: string]: string | number | boolean | Array<string | number | boolean> };
}

export interface Rule {
  id: string;
  effect: PolicyEffect;
  conditions: Conditions;
  /** Only with `require_approval`; wins over the document's. */
  quorum?: Quorum;
  escalation?: EscalationStep[];
}

export interface TrustThresholds {
  auto_approve_low: number | null;
  auto_approve_medium: number | null;
}

export interface PolicyDocument {
  default_action: PolicyEffect;
  timeout_minutes: number;
  timeout_action: TimeoutAction;
  trust_thresholds: TrustThresholds;
  rules: Rule[];
  quorum?: Quorum;
  escalation?: EscalationStep[];
}

export interface PolicyDocumentInput {
  default_action: PolicyEffect;
  timeout_minutes: number;
  timeout_action: TimeoutAction;
  trust_thresholds?: Partial<TrustThresholds>;
  rules: Array<Omit<Rule, 'id'> & { id?: string }>;
  quorum?: Quorum;
  escalation?: EscalationStep[];
}

export interface Room {
  id: string;
  org_id: string;
  slug: string;
  name: string;
  description: string | null;
  policies: PolicyDocument;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface RoomInput {
  name: string;
  slug?: string;
  description?: string;
  policies?: Partial<PolicyDocumentInput>;
}

export interface EvaluateInput extends CheckInInput {
  agent_id?: string;
  policies?: PolicyDocumentInput;
}

export interface PolicyEvaluation {
  result: PolicyEffect;
  rule_id: string | null;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  trust_score: number;
  timeout_minutes: number;
  timeout_action: TimeoutAction;
  dry_run: true;
  /** The standing grant that would approve (only then). */
  grant_id?: string;
}

/** `POST /v1/rooms/:room/grants`: approve matching check-ins without asking, for a while. */
export interface GrantInput {
  conditions: Conditions;
  /** ISO-8601 with an offset, in the future and at most 30 days ahead. */
  expires_at: string;
  /** 1..100000; absent: no limit until expiry. */
  max_uses?: number;
  reason?: string;
}

/** A standing grant with its use count. */
export interface Grant {
  id: string;
  room_id: string;
  conditions: Conditions;
  reason: string | null;
  max_uses: number | null;
  uses: number;
  /** Null without `max_uses`. */
  remaining_uses: number | null;
  expires_at: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface SignalInput {
  type: string;
  payload?: JsonObject;
}

export interface Signal {
  id: string;
  room_id: string;
  type: string;
  payload: JsonObject;
  created_by: string;
  created_by_type?: 'human' | 'agent';
  created_at: string;
}

/** One room event: the same envelope on the event stream, the WebSocket and webhooks. */
export interface RoomEvent {
  id: number;
  event: EventType;
  room_id: string;
  data: JsonObject;
  timestamp: string;
}

/** A webhook delivery's body: the room event plus the watcher that matched it. */
export interface WebhookEvent extends RoomEvent {
  watcher_id: string;
}

export interface WatcherInput {
  event_types?: EventTypeFilter[];
  filter?: JsonObject;
  webhook_url?: string;
}

export interface Watcher {
  id: string;
  room_id: string;
  agent_id: string;
  event_types: string[];
  filter: JsonObject;
  webhook_url: string | null;
  is_active: boolean;
  created_at: string;
}

/** The answer to creating a watcher: the only time its signing `secret` is shown. */
export interface WatcherWithSecret extends Watcher {
  secret: string;
}

export interface Delivery {
  id: string;
  watcher_id: string;
  event_id: number;
  event?: EventType;
  attempt: number;
  status?: string;
  response_status?: number | null;
  error?: string | null;
  next_attempt_at?: string | null;
  created_at: string;
}

export interface DeliveryListParams extends ListParams {
  status?: string;
}

export interface Agent {
  id: string;
  org_id: string | null;
  name: string;
  description: string | null;
  platform: string | null;
  room_scopes: string[];
  status: 'active' | 'pending_claim';
  key_prefix: string;
  registered_by: string | null;
  claimed_by: string | null;
  claimed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface RegisteredAgent extends Agent {
  api_key: string;
}

export interface SelfRegisteredAgent extends RegisteredAgent {
  claim_token: string;
  claim_expires_at: string;
}

export interface AgentMe extends Agent {
  claim_token?: string;
  claim_expires_at?: string;
}

export interface AgentInput {
  name: string;
  description?: string;
  platform?: string;
  room_scopes?: string[];
}

export type SelfRegisterInput = Omit<AgentInput, 'room_scopes'>;

export interface RoomTrust {
  room_id: string;
  room_slug: string;
  score: number;
  approved: number;
  modified: number;
  rejected: number;
  expired: number;
  updated_at: string;
}

export interface TrustReport {
  agent_id: string;
  initial_score: number;
  rooms: RoomTrust[];
}

export interface AuditEntry {
  id: string;
  org_id: string;
  room_id: string | null;
  actor_type: 'agent' | 'human' | 'system';
  actor_id: string;
  event_type: string;
  target_type: string;
  target_id: string;
  snapshot: JsonObject;
  created_at: string;
}

export interface AuditListParams extends ListParams {
  event_type?: string;
}
