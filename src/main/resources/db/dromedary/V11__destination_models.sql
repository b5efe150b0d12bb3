-- Which model each destination exports, written at every start-up from the configuration. record_overview joins a
-- record's exports and refusals by destination and model instead of by pk alone: two models that share key values
-- (users 42 and accounts 42) showed each other's exports. A destination no longer configured keeps showing, as
-- before, since nothing says which model it had.
CREATE TABLE destination_models (
    destination text PRIMARY KEY,
    model       text NOT NULL
);

CREATE OR REPLACE VIEW record_overview AS
SELECT r.model,
       r.pk,
       r.properties,
       r.groups,
       r.invalid,
       r.deleted_at,
       r.updated_at,
       (SELECT jsonb_object_agg(e.destination, jsonb_build_object('key', e.exported_key,
                   'groups', coalesce(to_jsonb(e.groups), e.exported -> '$groups'), 'at', e.exported_at)
                   || CASE WHEN e.exported IS NULL THEN '{}'::jsonb
                           ELSE jsonb_build_object('values', e.exported - '$groups') END)
          FROM exports e LEFT JOIN destination_models d ON d.destination = e.destination
         WHERE e.pk = r.pk AND coalesce(d.model, r.model) = r.model) AS last_exports,
       (SELECT jsonb_object_agg(x.destination, jsonb_build_object('reason', x.reason, 'at', x.failed_at))
          FROM export_errors x LEFT JOIN destination_models d ON d.destination = x.destination
         WHERE x.pk = r.pk AND coalesce(d.model, r.model) = r.model) AS export_errors
FROM records r;
