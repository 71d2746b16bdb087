-- Verifiable decisions (issue 29): payload hashes and signed receipts on check-ins, the published
-- signing keys, and the per-org hash chain over the audit log.

-- sha256:<hex> of the RFC 8785 canonical JSON of what the check-in asks (null on rows written
-- before: computed on read), and the compact JWS of its decision (null until decided).
ALTER TABLE check_ins
  ADD COLUMN payload_hash text,
  ADD COLUMN receipt      text;

-- Every public key any node has signed with, so a receipt keeps verifying after a rotation and
-- every node publishes every key. Written by the nodes as they load their keys.
CREATE TABLE signing_keys (
  kid        text PRIMARY KEY,
  jwk        jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The writing transaction's id: the chain's order (see audit_chain). Rows written before this
-- migration read '0' (a constant default: no rewrite), so they come first, in id order.
ALTER TABLE audit_log ADD COLUMN tx xid8 NOT NULL DEFAULT '0';
ALTER TABLE audit_log ALTER COLUMN tx SET DEFAULT pg_current_xact_id();
CREATE INDEX audit_log_tx ON audit_log (tx, id);

-- The chain: one link per audit row, per org, in (tx, id) order, written by the sealer
-- (receipts/AuditChain) once every transaction below the row's has ended. hash = sha256 over the
-- previous link's hash and the row's canonical JSON. The primary key refuses a second link at one
-- place (no fork), the unique audit_id a row sealed twice.
CREATE TABLE audit_chain (
  org_id    text NOT NULL,
  seq       bigint NOT NULL,
  audit_id  text NOT NULL UNIQUE,
  prev_hash text NOT NULL,
  hash      text NOT NULL,
  sealed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, seq)
);

CREATE FUNCTION audit_chain_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_chain is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_chain_no_update BEFORE UPDATE OR DELETE ON audit_chain
  FOR EACH ROW EXECUTE FUNCTION audit_chain_is_append_only();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_is_append_only();

-- Each org's last link (its head), moved by the sealer in the transaction that adds links.
CREATE TABLE audit_chain_heads (
  org_id text PRIMARY KEY,
  seq    bigint NOT NULL,
  hash   text NOT NULL
);

-- How far the sealers have come, as the (tx, id) of the last row sealed. A sealer moves it only
-- from where it read it (a conditional update in the transaction that writes the links): of two
-- nodes sealing the same rows one wins, the other rolls back.
CREATE TABLE audit_seal_position (
  one     boolean PRIMARY KEY DEFAULT true CHECK (one),
  tx      xid8 NOT NULL,
  last_id text NOT NULL
);
INSERT INTO audit_seal_position (tx, last_id) VALUES ('0', '');
