DROP INDEX usage_charges_invoice;
