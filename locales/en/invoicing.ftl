# Credit notes and invoice settings.

## Programme setting: what credits cover
field-credits-cover = Credits cover
hint-credits-cover = (what an invoice's amount per grant is compared with the held usage: net, or VAT included; default net)
col-credits-cover = Credits cover
credits-cover-net = net amounts (VAT excluded)
credits-cover-gross = amounts VAT included
programme-credits-cover-invalid = Choose net amounts or amounts VAT included.

## Reconciliation of invoices
invoice-is-credit-note = This is a credit note: send it from the page of the invoice it credits.
invoice-grant-gross-mismatch = Grant { $grant }: the invoice bills { $invoiced } VAT included but { $held } is held for it (this programme's credits cover amounts VAT included).
invoice-grant-no-vat-rate = Grant { $grant }: a line has no VAT rate (BT-152), so its amount VAT included cannot be computed.

## Invoice inbox
filter-all-programmes = All programmes
filter-all-statuses = All statuses
col-amount-to-pay = To pay
settlement-invoice-credited = A credit note arrived for one of these invoices meanwhile: check the amounts and record the payment again.

## Credit notes
credit-notes-title = Credit notes
col-credit-note-number = Credit note
credit-note-status-posted = credited to the grants
credit-note-status-recorded = recorded (invoice disputed)
credit-note-send = Send a credit note
credit-note-intro-approved = A credit note (UBL CreditNote, or CII or Factur-X of type 381) referencing this invoice returns its amount to the grants and reduces what the funder pays.
credit-note-intro-disputed = This invoice is disputed: a credit note referencing it is recorded as your answer, for the funder to read; nothing is held any more, so the credits do not move.
field-credit-note-file = Credit note file (XML or Factur-X PDF)
credit-note-refused-title = The credit note was not accepted
flash-credit-note-received = Credit note received.
audit-action-credit-note-received = credit note received
entry-credit-note = credit note
credit-note = credit note
statement-credit-note = Credit note from the provider

credit-note-not-a-credit-note = This document is not a credit note (type { $type }): send a UBL CreditNote, or a CII document of type 381.
credit-note-no-preceding-invoice = The credit note names no preceding invoice (BT-25): reference invoice { $invoice }.
credit-note-unknown-invoice = The credit note references invoice { $number }, which is not one of your invoices; this page is invoice { $invoice }.
credit-note-other-invoice = The credit note references your invoice { $number }, not invoice { $invoice }: send it from that invoice's page.
credit-note-invoice-settled = Invoice { $invoice } is already paid: a credit note cannot reduce a payment that was made; settle it with the funder directly.
credit-note-invoice-not-decided = Invoice { $invoice } is not approved or disputed: a credit note answers a decided invoice.
credit-note-number-taken = You already sent a credit note or invoice numbered { $number }: a number is used once.
credit-note-currency-mismatch = The credit note is in { $note } but the invoice is in { $invoice }.
credit-note-buyer-not-funder = The buyer is “{ $buyer }”, but the invoice was addressed to { $funder }: the credit note is addressed to the same funder.
credit-note-line-no-grant = Line { $line } does not name a grant of invoice { $invoice } (found “{ $reference }”).
credit-note-amount-invalid = Grant { $grant }: the credit of { $amount } is not a positive amount in cents.
credit-note-over-credit = Grant { $grant }: the credit note credits { $credited } but only { $left } is left to credit on invoice { $invoice }.
credit-note-invoice-changed = Invoice { $invoice } changed while the credit note was being checked: send it again.
invoice-part-unknown-grant = Grant { $grant } is not billed by this invoice.
