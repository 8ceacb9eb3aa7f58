-- Tenants, users and the replicated document store.
create table tenants (
  id text primary key,
  slug text not null unique,
  name text not null,
  settings jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

create table users (
  id text primary key,
  tenant_id text not null references tenants(id),
  email text not null,
  display_name text not null,
  role text not null check (role in ('agent', 'supervisor', 'admin')),
  password_hash text not null,
  created_at timestamptz not null default now(),
  disabled_at timestamptz,
  unique (tenant_id, email)
);

-- Every replicated document, one row each. `seq` orders pulls; `tx` records the writing transaction
-- so a pull can hold back rows whose transaction may still have older, uncommitted neighbours.
create sequence doc_seq;
create table docs (
  tenant_id text not null references tenants(id),
  collection text not null,
  id text not null,
  seq bigint not null,
  tx xid8 not null default pg_current_xact_id(),
  updated_at bigint not null,
  deleted boolean not null default false,
  data jsonb not null,
  primary key (tenant_id, collection, id)
);
create index docs_pull on docs (tenant_id, collection, seq);
