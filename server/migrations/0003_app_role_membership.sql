-- On PostgreSQL 16+ a non-superuser that creates a role may administer it but not SET ROLE to it,
-- and withTenant needs exactly that. Superusers (PGlite, CI) can always switch; the grant is harmless.
do $$
begin
  execute format('grant threadline_app to %I', current_user);
exception when insufficient_privilege or invalid_grant_operation then
  raise notice 'could not grant threadline_app to %: SET ROLE will need a superuser or an explicit grant', current_user;
end
$$;
