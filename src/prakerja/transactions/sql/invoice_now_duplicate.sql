-- Stored lines that an older invoice, arriving late, makes the duplicate.
SELECT id, false AS payable, reason FROM judged
WHERE id IS NOT NULL AND reason = 'DUPLICATE'
  AND old_reason IS DISTINCT FROM reason
