"""Training transactions: platform events, vouchers (purchases), attendance, invoices."""
