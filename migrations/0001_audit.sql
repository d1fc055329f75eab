-- The audit trail on PostgreSQL: one row per answered hook call, the same record the JSON Lines files
-- hold (src/audit/audit-record.ts), plus one row per card shown so that feedback on a card can be
-- recognised by any replica. The patient is only ever the keyed hash (HMAC-SHA-256 under
-- VIGIL_AUDIT_HMAC_KEY): the CHECKs refuse a row that would hold anything else.
CREATE TABLE vigil_audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  service text NOT NULL,
  hook text NOT NULL,
  hook_instance text NOT NULL,
  patient text NOT NULL CHECK (patient LIKE 'hmac-sha256:%'),
  record jsonb NOT NULL CHECK (record->>'patient' = patient),
  written_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vigil_audit_at ON vigil_audit (at);
CREATE INDEX vigil_audit_patient_at ON vigil_audit (patient, at);

CREATE TABLE vigil_audit_cards (
  uuid text NOT NULL,
  service text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX vigil_audit_cards_uuid ON vigil_audit_cards (uuid);
CREATE INDEX vigil_audit_cards_at ON vigil_audit_cards (at);

-- One row, rewritten by the readiness check of a failing trail: proves a commit goes through again.
CREATE TABLE vigil_probe (
  id int PRIMARY KEY CHECK (id = 1),
  at timestamptz NOT NULL
);
