-- Vouchers whose purchase was refused; `known.sql` adds the ones refused in this batch.
CREATE OR REPLACE TEMP TABLE refused_all AS SELECT DISTINCT voucher_code FROM refused;
