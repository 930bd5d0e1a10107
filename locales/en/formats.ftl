# Problems found in provider documents: FOCUS usage files and EN 16931 invoices.
# Messages start in lower case: they follow a location (“line 3, column 6 (BilledCost): …”).

## Where a problem is.

location-file = file
location-line = line { $line }
location-column = column { $column }
location-line-column = line { $line }, column { $column }
location-line-column-number = line { $line }, column { $number } ({ $column })
location-path = { $path }
location-path-line = line { $line } ({ $path })
location-path-line-column = line { $line }, column { $number } ({ $path })

## FOCUS usage files (CSV). Column names (BilledCost …) are FOCUS identifiers: never translated.

focus-unreadable = the file is not readable as CSV: { $detail }
focus-missing-column = the header has no { $column } column, which FOCUS requires
focus-cell-count = has { $cells ->
        [one] { $cells } cell
       *[other] { $cells } cells
    }; the header has { $expected }
focus-unreadable-line = cannot be read: { $detail }
focus-not-utf8 = is not valid UTF-8 text
focus-null = is empty; { $column } may not be null
focus-not-decimal = “{ $value }” is not a decimal number
focus-not-currency = “{ $value }” is not an ISO 4217 currency code such as EUR
focus-not-timestamp = “{ $value }” is not a date and time such as 2026-10-01T00:00:00Z
focus-period-order = the charge period must end after it starts
focus-not-category = “{ $value }” is not a FOCUS charge category (Usage, Purchase, Tax, Credit, Adjustment)
focus-no-consumed-quantity = is empty; a usage charge says how much was consumed
focus-no-consumed-unit = is empty; say what unit ConsumedQuantity counts
focus-no-service-name = is empty; name the service that was used
focus-pricing-mismatch = ListCost { $list_cost } differs from ListUnitPrice { $price } × PricingQuantity { $quantity } = { $expected } by more than { $tolerance }
focus-tags-not-object = is not a JSON object such as {"{"}"team": "ml"{"}"}
focus-totals-inexact = from this line on the totals can no longer be added exactly (more than 28 significant digits); the totals shown stop before it

## EN 16931 invoices and credit notes (UBL, CII). French terms are those of NF EN 16931-1.

einvoice-too-large = the document is { $size } bytes; the limit is { $limit }
einvoice-not-utf8 = the document is not UTF-8 text
einvoice-dtd = the document declares a DTD, which is refused: entity declarations and external references are not allowed in invoices
einvoice-not-xml = the document is not well-formed XML: { $detail }
einvoice-not-an-invoice = the root element is { $element } in namespace { $namespace }; expected a UBL Invoice or CreditNote, or a CII CrossIndustryInvoice
einvoice-not-an-invoice-no-namespace = the root element is { $element } in namespace (none); expected a UBL Invoice or CreditNote, or a CII CrossIndustryInvoice
einvoice-not-an-amount = { $element } “{ $value }” is not an amount
einvoice-too-many-decimals = { $element } { $value } has more than 2 decimals
einvoice-missing-specification = the specification identifier (BT-24) is missing
einvoice-missing-number = the invoice number (BT-1) is missing
einvoice-missing-issue-date = the issue date (BT-2) is missing or not a date
einvoice-missing-type-code = the invoice type code (BT-3) is missing
einvoice-missing-currency = the invoice currency code (BT-5) is missing
einvoice-missing-seller-name = the seller name (BT-27) is missing
einvoice-missing-buyer-name = the buyer name (BT-44) is missing
einvoice-missing-seller-address = the seller postal address (BG-5) is missing
einvoice-missing-seller-country = the seller country code (BT-40) is missing
einvoice-missing-buyer-address = the buyer postal address (BG-8) is missing
einvoice-missing-buyer-country = the buyer country code (BT-55) is missing
einvoice-missing-line-total = the sum of invoice line net amounts (BT-106) is missing
einvoice-missing-total-without-vat = the invoice total without VAT (BT-109) is missing
einvoice-missing-total-with-vat = the invoice total with VAT (BT-112) is missing
einvoice-missing-amount-due = the amount due for payment (BT-115) is missing
einvoice-no-line = the invoice has no line (BG-25)
einvoice-line-no-net-amount = line { $line } has no net amount (BT-131)
einvoice-line-inexact = line { $line } quantity × price cannot be computed exactly
einvoice-line-amount-mismatch = line { $line } amount { $amount } differs from quantity { $quantity } × price { $price } / base { $base } = { $expected }
einvoice-amounts-too-large = the amounts are too large to add up exactly (more than 28 significant digits)
einvoice-line-total-mismatch = sum of line net amounts is { $stated }, but the lines add up to { $sum }
einvoice-total-without-vat-mismatch = total without VAT is { $stated }; line total − allowances + charges = { $expected }
einvoice-total-with-vat-mismatch = total with VAT is { $stated }; total without VAT + VAT = { $expected }
einvoice-amount-due-mismatch = amount due is { $stated }; total with VAT − prepaid + rounding = { $expected }
einvoice-rule-not-checkable = { $rule } cannot be checked exactly: the amounts are too large

## Usage files checked against the grants they charge.

usage-no-file = choose a usage file (FOCUS CSV) to upload
usage-file-too-large = the file is { $size } bytes; the limit is { $limit }
usage-no-sub-account = is empty; it must carry the grant code (such as G-2026-0042)
usage-no-lines = the file has a header but no usage lines
usage-already-posted = this exact file was already submitted as upload #{ $upload } on { $date }
usage-currency-mismatch = grant { $grant } is in { $grant_currency }, this line is in { $currency }
usage-grant-not-active = grant { $grant } covers { $from } to { $until } ({ $status ->
        [active] active
        [expired] expired
        [revoked] revoked
       *[other] { $status }
    }); this charge starts { $start }
usage-grant-total-inexact = grant { $grant }'s total can no longer be added exactly from this line on (more than 28 significant digits)
usage-unknown-grant = no grant “{ $code }” is billable by your organisation; SubAccountId must carry one of your grant codes
usage-unknown-grant-lines = no grant “{ $code }” is billable by your organisation (lines { $lines }); SubAccountId must carry one of your grant codes
usage-unknown-grant-lines-more = no grant “{ $code }” is billable by your organisation (lines { $lines } and { $more } more); SubAccountId must carry one of your grant codes
usage-negative-total = the charges for { $grant } add up to less than zero
usage-amounts-too-large = the amounts are too large to add up exactly
usage-grant-insufficient = grant { $grant } has { $available } { $currency } left; this file charges it { $amount }
usage-value-too-long = is longer than { $max } characters
usage-mixed-currency = is { $currency }, but this file bills in { $file_currency }: one file, one currency

## computegrants inspect FILE: labels of the text report.

inspect-kind = kind:
inspect-number = number:
inspect-currency = currency:
inspect-currency-mixed = (mixed or none)
inspect-lines = lines:
inspect-totals = totals:
inspect-problems = problems:
inspect-problems-none = none
inspect-problem = { $location }: { $message }
inspect-more = …and { $count } more
inspect-cannot-read = cannot read { $file }: { $reason }
inspect-cannot-open = cannot open { $file }: { $reason }
inspect-io-error = cannot read the file: { $reason }
inspect-kind-ubl-invoice = UBL invoice
inspect-kind-ubl-credit-note = UBL credit note
inspect-kind-cii-invoice = CII invoice
inspect-kind-focus = FOCUS usage file
facturx-not-pdf = This is neither an XML invoice nor a PDF.
facturx-no-invoice = This PDF carries no EN 16931 invoice: send the XML (UBL or CII) or a Factur-X PDF, not a plain PDF.
facturx-zugferd-1 = This is a ZUGFeRD 1 PDF, whose embedded invoice is not EN 16931: send a Factur-X / ZUGFeRD 2 PDF or the XML.
facturx-unreadable = The invoice inside this PDF cannot be read (damaged, or larger than allowed).
usage-not-in-catalogue = “{ $value }” is not in your catalogue on { $day }: add the offering (or its price for that day) to your catalogue
usage-unit-off-catalogue = is “{ $unit }”, but { $offering } is sold by the { $expected }
usage-price-off-catalogue = bills { $price } { $currency } per { $unit }; { $offering } costs { $catalogue } { $currency } in your catalogue, and this programme allows { $tolerance }% above it
usage-is-an-invoice = this is an e-invoice (EN 16931 XML), not a usage file: submit the usage (FOCUS CSV) first, then send the invoice from the usage page
usage-is-a-pdf = this is a PDF, not a usage file (FOCUS CSV); an invoice (Factur-X) goes with its usage, from the usage page
usage-is-xml = this is an XML document, not a usage file: usage files are FOCUS CSV
usage-empty-file = the file is empty
usage-file-over-limit = the file is larger than { $mb } MB: split it by period and send each part
usage-line-billed-before = { $resource } was already billed for this charge period and SKU (upload #{ $upload }, line { $line }): send only what was not billed yet
