-- Fills a fresh schema for bench/participant_story.py (PostgreSQL); :n registrations.
INSERT INTO waves (wave, scheme, opens_on, closes_on, selected_on, created_at, updated_at) SELECT w, 'PANDEMIC_2020', DATE '2020-04-01', DATE '2020-04-10', DATE '2020-04-17', now(), now() FROM generate_series(1, 20) AS w
;
INSERT INTO registrations (id, wave, nik, kk_number, full_name, phone) SELECT i, 1 + i % 20, lpad((3171000000000000 + i)::text, 16, '0'), lpad((3171000000000000 + i / 3)::text, 16, '0'), 'Peserta ' || i, '0812' || lpad(i::text, 8, '0') FROM generate_series(1, :n) AS i
;
INSERT INTO selection_results (registration_id, wave, outcome, reason, card_number, decided_on) SELECT i, 1 + i % 20, CASE WHEN i % 5 = 0 THEN 'SELECTED' ELSE 'NOT_SELECTED' END, CASE WHEN i % 5 = 0 THEN NULL ELSE 'QUOTA_FULL' END, CASE WHEN i % 5 = 0 THEN lpad((5200000000000000 + i)::text, 16, '0') END, DATE '2020-04-17' FROM generate_series(1, :n) AS i
;
INSERT INTO cards (card_number, nik, registration_id, kk_number, wave, scheme, province_code, issued_on, purchase_deadline, balance_expires_on, initial_balance_idr, balance_idr, status) SELECT lpad((5200000000000000 + i)::text, 16, '0'), lpad((3171000000000000 + i)::text, 16, '0'), i, lpad((3171000000000000 + i / 3)::text, 16, '0'), 1 + i % 20, 'PANDEMIC_2020', '31', DATE '2020-04-17', DATE '2020-05-17', DATE '2020-12-15', 1000000, 250000, 'ACTIVE' FROM generate_series(5, :n, 5) AS i
;
INSERT INTO platform_events (id, platform_code, event_id, event_type, occurred_at, occurred_on, card_number, course_code, voucher_code, amount_idr, state) SELECT i, 'TOKOPEDIA', 'EV-' || i, 'PURCHASE', TIMESTAMPTZ '2020-04-18 10:00+07', DATE '2020-04-18', lpad((5200000000000000 + i)::text, 16, '0'), 'C-0001', 'V' || i, 750000, 'APPLIED' FROM generate_series(5, :n, 5) AS i
;
INSERT INTO vouchers (voucher_code, card_number, course_code, platform_code, purchase_event_id, purchased_at, purchased_on, amount_idr, completed_at, completed_on, reviewed_at, reviewed_on) SELECT 'V' || i, lpad((5200000000000000 + i)::text, 16, '0'), 'C-0001', 'TOKOPEDIA', i, TIMESTAMPTZ '2020-04-18 10:00+07', DATE '2020-04-18', 750000, TIMESTAMPTZ '2020-04-20 10:00+07', DATE '2020-04-20', TIMESTAMPTZ '2020-04-21 10:00+07', DATE '2020-04-21' FROM generate_series(5, :n, 5) AS i
;
INSERT INTO attendances (voucher_code, sequence, source, recorded_at) SELECT 'V' || i, s, 'PLATFORM', TIMESTAMPTZ '2020-04-19 10:00+07' FROM generate_series(5, :n, 5) AS i, generate_series(1, 2) AS s
;
INSERT INTO payout_accounts (card_number, partner_code, account_id, account_name, linked_at, linked_on) SELECT lpad((5200000000000000 + i)::text, 16, '0'), 'OVO', '08' || i, 'PESERTA', TIMESTAMPTZ '2020-04-19 08:00+07', DATE '2020-04-19' FROM generate_series(5, :n, 5) AS i
;
INSERT INTO entitlements (id, card_number, kind, tranche, amount_idr, due_on, created_at, created_on, paid_on) SELECT i, lpad((5200000000000000 + i)::text, 16, '0'), 'POST_TRAINING', 1, 600000, DATE '2020-04-21', now(), DATE '2020-04-22', DATE '2020-04-22' FROM generate_series(5, :n, 5) AS i
;
INSERT INTO payment_batches (batch_id, partner_code, business_date, run_number, instruction_count, total_amount_idr, created_at) VALUES ('B-OVO-2020-04-22-01', 'OVO', DATE '2020-04-22', 1, :n / 5, 600000::bigint * (:n / 5), now())
;
INSERT INTO instructions (instruction_id, batch_id, entitlement_id, card_number, kind, tranche, attempt, partner_code, account_id, beneficiary_name, amount_idr, created_on, created_at, state) SELECT 'INS-' || lpad((5200000000000000 + i)::text, 16, '0') || '-PT-01-01', 'B-OVO-2020-04-22-01', i, lpad((5200000000000000 + i)::text, 16, '0'), 'POST_TRAINING', 1, 1, 'OVO', '08' || i, 'PESERTA', 600000, DATE '2020-04-22', now(), 'SUCCEEDED' FROM generate_series(5, :n, 5) AS i
;
INSERT INTO partner_results (partner_code, instruction_id, partner_txn_id, account_id, amount_idr, status, processed_at, processed_on) SELECT 'OVO', 'INS-' || lpad((5200000000000000 + i)::text, 16, '0') || '-PT-01-01', 'TX-' || i, '08' || i, 600000, 'SUCCESS', TIMESTAMPTZ '2020-04-22 11:00+07', DATE '2020-04-22' FROM generate_series(5, :n, 5) AS i
;
INSERT INTO ledger_entries (idempotency_key, entry_kind, debit_account, credit_account, amount_idr, effective_on, reference, created_at) SELECT k || ':' || i, k, CASE k WHEN 'CARD_FUNDED' THEN 'TRAINING_BALANCE:' ELSE 'PLATFORM_PAYABLE:' END || CASE k WHEN 'CARD_FUNDED' THEN lpad((5200000000000000 + i)::text, 16, '0') ELSE 'TOKOPEDIA' END, CASE k WHEN 'CARD_FUNDED' THEN 'PROGRAM_FUND' ELSE 'TRAINING_BALANCE:' || lpad((5200000000000000 + i)::text, 16, '0') END, CASE k WHEN 'CARD_FUNDED' THEN 1000000 ELSE 750000 END, DATE '2020-04-18', 'V' || i, now() FROM generate_series(5, :n, 5) AS i, (VALUES ('CARD_FUNDED'), ('TRAINING_PURCHASE')) AS kinds(k)
;
INSERT INTO breaks (break_id, break_type, break_key, occurrence, partner_code, card_number, fact_on, reason, detected_on, status, still_holds) SELECT 'BRK-' || i, 'MISSING_RESULT', 'K' || i, 1, 'OVO', lpad((5200000000000000 + i)::text, 16, '0'), DATE '2020-04-22', 'no result', DATE '2020-04-24', 'OPEN', false FROM generate_series(50, :n, 50) AS i
;
INSERT INTO survey_responses (card_number, survey_no, submitted_at, submitted_on) SELECT lpad((5200000000000000 + i)::text, 16, '0'), 1, TIMESTAMPTZ '2020-05-25 10:00+07', DATE '2020-05-25' FROM generate_series(10, :n, 10) AS i
