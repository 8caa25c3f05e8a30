-- The new lines as they are stored: payable when judged so, with the reason otherwise.
SELECT n.platform_code, n.invoice_no, n.voucher_code, n.amount_idr, n.invoiced_on,
       j.reason IS NULL AS payable, j.reason, n._line AS source_line
FROM new_lines AS n JOIN judged AS j USING (_row)
ORDER BY n._row
