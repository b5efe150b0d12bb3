-- One row per record, for people: its properties, groups, invalid-value reasons, and per destination what was
-- last exported (and when) or why the destination refused it.
CREATE VIEW record_overview AS
SELECT r.model,
       r.pk,
       r.properties,
       r.groups,
       r.invalid,
       r.deleted_at,
       r.updated_at,
       (SELECT jsonb_object_agg(e.destination, jsonb_build_object('values', e.exported - '$groups',
                                                                  'groups', e.exported -> '$groups',
                                                                  'at', e.exported_at))
          FROM exports e WHERE e.pk = r.pk) AS last_exports,
       (SELECT jsonb_object_agg(x.destination, jsonb_build_object('reason', x.reason, 'at', x.failed_at))
          FROM export_errors x WHERE x.pk = r.pk) AS export_errors
FROM records r;
