COPY (SELECT customer_id, group_name FROM customer_groups ORDER BY customer_id, group_name COLLATE "C") TO STDOUT;
