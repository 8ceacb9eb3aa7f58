-- Channel ingress: where contacts arrive, what was already accepted, email threading, attachments,
-- rejected raw input, and reversible customer actions (link / merge).

-- Inbound addresses map a recipient (SMTP) or a webhook endpoint to its tenant. Looked up before the
-- tenant is known, so it is read by the server's own connection, never by a tenant transaction.
create table ingress_addresses (
  channel text not null check (channel in ('email', 'sms', 'chat', 'webform')),
  address text not null,
  tenant_id text not null references tenants(id),
  -- HMAC key for webhooks (null for email).
  secret text,
  created_at timestamptz not null default now(),
  primary key (channel, address)
);
revoke all on ingress_addresses from threadline_app;

-- A retried webhook replays the first answer instead of creating a second message.
create table ingress_idempotency (
  tenant_id text not null references tenants(id),
  channel text not null,
  key text not null,
  request_hash text not null,
  result jsonb not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, channel, key)
);

-- Email threading: every Message-ID we received or sent, and the interaction it belongs to.
create table email_messages (
  tenant_id text not null references tenants(id),
  message_id text not null,
  interaction_id text not null,
  thread_id text not null,
  direction text not null check (direction in ('inbound', 'outbound')),
  created_at timestamptz not null default now(),
  primary key (tenant_id, message_id)
);

create table ingress_attachments (
  id text primary key,
  tenant_id text not null references tenants(id),
  interaction_id text not null,
  event_id text not null,
  filename text,
  content_type text not null,
  size integer not null,
  sha256 text not null,
  content bytea not null,
  created_at timestamptz not null default now()
);
create index ingress_attachments_event on ingress_attachments (tenant_id, event_id);

-- Input we refused (malformed MIME, unknown recipient, bad identity), kept so nothing is lost and an
-- operator can see why. tenant_id is null when the tenant could not be determined.
create table ingress_quarantine (
  id text primary key,
  tenant_id text references tenants(id),
  channel text not null,
  code text not null,
  reason text not null,
  raw bytea not null,
  received_at timestamptz not null default now()
);
revoke all on ingress_quarantine from threadline_app;

-- Agent actions on customers keep the before-image of every document they changed, so undo restores
-- exactly what was there.
create table customer_actions (
  id text primary key,
  tenant_id text not null references tenants(id),
  actor_id text,
  action text not null check (action in ('link', 'merge')),
  target_customer_id text not null,
  source_customer_id text,
  before jsonb not null,
  created_ids jsonb not null default '[]'::jsonb,
  created_at timestamptz not null default now(),
  undone_at timestamptz,
  undone_by text
);

alter table ingress_idempotency enable row level security;
alter table email_messages enable row level security;
alter table ingress_attachments enable row level security;
alter table customer_actions enable row level security;
create policy tenant_isolation on ingress_idempotency
  using (tenant_id = current_setting('app.tenant_id', true)) with check (tenant_id = current_setting('app.tenant_id', true));
create policy tenant_isolation on email_messages
  using (tenant_id = current_setting('app.tenant_id', true)) with check (tenant_id = current_setting('app.tenant_id', true));
create policy tenant_isolation on ingress_attachments
  using (tenant_id = current_setting('app.tenant_id', true)) with check (tenant_id = current_setting('app.tenant_id', true));
create policy tenant_isolation on customer_actions
  using (tenant_id = current_setting('app.tenant_id', true)) with check (tenant_id = current_setting('app.tenant_id', true));

-- Timeline and thread assembly read a customer's threads, interactions and events.
create index docs_customer on docs (tenant_id, collection, (data->>'customerId'));
create index docs_interaction on docs (tenant_id, collection, (data->>'interactionId'));
