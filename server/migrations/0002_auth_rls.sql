-- Device sessions, rotating refresh tokens, audit, server secrets, and row-level security.

-- The role every tenant-scoped transaction switches to. PGlite's user and CI's PostgreSQL user are
-- superusers, and superusers bypass RLS, so isolation only holds once a request runs as this role.
-- Roles are cluster-wide and several test databases migrate at once on one cluster: tolerate races.
do $$
begin
  create role threadline_app nologin;
exception when duplicate_object or unique_violation then null;
end
$$;

create table sessions (
  id text primary key,
  tenant_id text not null references tenants(id),
  user_id text not null references users(id),
  device_name text,
  created_at timestamptz not null default now(),
  last_used_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_reason text
);
create index sessions_tenant on sessions (tenant_id, user_id);

-- Only a hash of each refresh token is stored. `used_at` marks a rotated token: presenting it again
-- is a replay and revokes the whole session.
create table refresh_tokens (
  token_hash text primary key,
  tenant_id text not null references tenants(id),
  session_id text not null references sessions(id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index refresh_tokens_session on refresh_tokens (session_id);

create table audit (
  id bigserial primary key,
  tenant_id text not null references tenants(id),
  actor_id text,
  action text not null,
  target text,
  details jsonb not null default '{}'::jsonb,
  at timestamptz not null default now()
);
create index audit_tenant_at on audit (tenant_id, at);

-- Shared by every node (e.g. the JWT signing key when JWT_SECRET is unset). Never granted to the app role.
create table server_secrets (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);

grant usage on schema public to threadline_app;
grant select, insert, update, delete on tenants, users, docs, sessions, refresh_tokens, audit to threadline_app;
grant usage, select on all sequences in schema public to threadline_app;
-- Tables other features add later are reachable by the app role too; each must add its own policy.
alter default privileges in schema public grant select, insert, update, delete on tables to threadline_app;
alter default privileges in schema public grant usage, select on sequences to threadline_app;

alter table docs enable row level security;
alter table users enable row level security;
alter table sessions enable row level security;
alter table refresh_tokens enable row level security;
alter table audit enable row level security;
alter table tenants enable row level security;

-- current_setting(..., true) is NULL when unset, and NULL never equals anything: no tenant, no rows.
create policy tenant_isolation on docs
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));
create policy tenant_isolation on users
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));
create policy tenant_isolation on sessions
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));
create policy tenant_isolation on refresh_tokens
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));
create policy tenant_isolation on audit
  using (tenant_id = current_setting('app.tenant_id', true))
  with check (tenant_id = current_setting('app.tenant_id', true));
create policy tenant_isolation on tenants
  using (id = current_setting('app.tenant_id', true))
  with check (id = current_setting('app.tenant_id', true));

-- Agent-scope filters (queue, agent, recency) run on every pull.
create index docs_tenant_seq on docs (tenant_id, seq);
-- Thread scope for agents: "threads with an interaction in my queues".
create index docs_interaction_thread on docs (tenant_id, (data->>'threadId')) where collection = 'interactions';
