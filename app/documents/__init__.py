"""Documents StoreDesk hands out: receipt layout (and, later, PDF invoices and reports)."""
