-- Feedback on cards (src/feedback/feedback-record.ts), stored once per idempotency key whichever
-- replica receives it, and counted per client and UTC day for the daily allowance.
CREATE TABLE vigil_feedback (
  id bigserial PRIMARY KEY,
  key text NOT NULL UNIQUE,
  received_at timestamptz NOT NULL,
  day date NOT NULL,
  quota_key text NOT NULL,
  service text NOT NULL,
  card text NOT NULL,
  record jsonb NOT NULL
);
CREATE INDEX vigil_feedback_quota ON vigil_feedback (day, quota_key);
