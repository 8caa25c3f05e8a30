-- Events of the file already stored, with the state they have.
SELECT f._row, s.state, s.state_column, s.state_reason
FROM file_rows AS f JOIN stored AS s USING (platform_code, event_id)
ORDER BY f._row
