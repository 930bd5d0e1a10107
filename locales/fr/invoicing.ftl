# Credit notes and invoice settings.
