"""Documents StoreDesk hands out: the receipt layout and A4 invoices and credit notes (PDF)."""
