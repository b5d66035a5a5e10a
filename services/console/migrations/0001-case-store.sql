-- The case store. Written once for SQLite and PostgreSQL: {{ID}} becomes the dialect's
-- auto-increment primary key. Times are epoch milliseconds (BIGINT), amounts minor units.

CREATE TABLE users (
  id {{ID}},
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('analyst', 'lead', 'admin')),
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  data TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- One row per alert (fraud_alerts); status open -> closed (fraud/legit) or unsure.
CREATE TABLE alerts (
  transaction_id TEXT PRIMARY KEY,
  origin_account_id TEXT NOT NULL,
  destination_account_id TEXT NOT NULL,
  transaction_type TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  decision TEXT NOT NULL,
  review_threshold DOUBLE PRECISION NOT NULL,
  block_threshold DOUBLE PRECISION NOT NULL,
  model_version TEXT NOT NULL,
  reason_codes TEXT NOT NULL,
  event_time BIGINT NOT NULL,
  scored_at BIGINT NOT NULL,
  ingested_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'unsure')),
  verdict TEXT CHECK (verdict IN ('fraud', 'legit', 'unsure')),
  verdict_note TEXT,
  verdict_by TEXT,
  verdict_at BIGINT,
  assigned_to TEXT
);
-- Keyset paging: newest first and highest score first, per status and across statuses.
CREATE INDEX alerts_status_time ON alerts (status, scored_at, transaction_id);
CREATE INDEX alerts_status_score ON alerts (status, score, transaction_id);
CREATE INDEX alerts_time ON alerts (scored_at, transaction_id);
CREATE INDEX alerts_score ON alerts (score, transaction_id);
CREATE INDEX alerts_origin ON alerts (origin_account_id, event_time);
-- A rare model version (a new challenger's alerts) must not mean scanning the whole queue.
CREATE INDEX alerts_model_time ON alerts (model_version, scored_at, transaction_id);

-- Model versions seen in alerts: the queue's filter menu, without a DISTINCT over every alert.
CREATE TABLE model_versions (
  version TEXT PRIMARY KEY,
  first_seen BIGINT NOT NULL
);

-- Every decision (fraud.decisions): the account history on the detail page and the alert rate.
CREATE TABLE decisions (
  transaction_id TEXT PRIMARY KEY,
  origin_account_id TEXT NOT NULL,
  destination_account_id TEXT NOT NULL,
  transaction_type TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  decision TEXT NOT NULL,
  model_version TEXT NOT NULL,
  challenger_model_version TEXT,
  challenger_score DOUBLE PRECISION,
  event_time BIGINT NOT NULL,
  scored_at BIGINT NOT NULL
);
CREATE INDEX decisions_origin ON decisions (origin_account_id, event_time);
CREATE INDEX decisions_destination ON decisions (destination_account_id, event_time);
CREATE INDEX decisions_scored ON decisions (scored_at);

-- Labels seen on fraud.labels from every source (chargebacks, simulator, this console): recall.
CREATE TABLE labels (
  transaction_id TEXT PRIMARY KEY,
  is_fraud INTEGER NOT NULL,
  source TEXT NOT NULL,
  labeled_at BIGINT NOT NULL
);

-- The ingester's position: written in the same transaction as the rows it covers.
CREATE TABLE consumer_offsets (
  group_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  partition_id INTEGER NOT NULL,
  next_offset BIGINT NOT NULL,
  PRIMARY KEY (group_id, topic, partition_id)
);

CREATE TABLE verdicts (
  id {{ID}},
  transaction_id TEXT NOT NULL REFERENCES alerts (transaction_id),
  verdict TEXT NOT NULL CHECK (verdict IN ('fraud', 'legit', 'unsure')),
  note TEXT NOT NULL,
  user_email TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX verdicts_transaction ON verdicts (transaction_id, id);

-- Records to publish, written in the verdict's transaction; the relay marks them sent.
CREATE TABLE outbox (
  id {{ID}},
  topic TEXT NOT NULL,
  message_key TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  sent_at BIGINT
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

CREATE TABLE audit_log (
  id {{ID}},
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
