-- The group rows the destination must hold: ltv >= 500 is "High value", country = 'NZ' is "New Zealand".
COPY (
    SELECT u.id, v.name
      FROM users u, LATERAL (VALUES ('High value', u.ltv >= 500), ('New Zealand', u.country = 'NZ')) AS v(name, member)
     WHERE v.member
     ORDER BY u.id, v.name COLLATE "C"
) TO STDOUT;
