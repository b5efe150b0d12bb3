COPY (
    SELECT id, email, first_name, last_name, country, ltv, signed_up, total_spent, purchase_count, max_amount, last_item
      FROM customers
     ORDER BY id
) TO STDOUT;
