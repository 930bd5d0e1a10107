# Refusals: form fields, conflicts, error pages.

amount-empty = Enter an amount, such as { $example }.
amount-not-a-number = “{ $text }” is not an amount; write it like { $example }.
amount-wrong-decimal-mark = “{ $text }” is ambiguous here: on English pages write amounts with a decimal point, like { $example }.
amount-bad-grouping = “{ $text }” has digit groups that are not groups of three; write it like { $example }.
amount-too-precise = “{ $text }” has more than two decimal places; round it to the cent.
amount-too-large = “{ $text }” is too large.
amount-example = 1,250.50

error-not-found-title = Page not found
error-not-found = There is nothing here, or it is not yours to see.
error-csrf-title = Form expired
error-csrf = This form has expired or did not come from this site. Go back, reload the page and try again.
error-bad-request-title = Check your input
error-bad-request = The request could not be understood.
error-bad-form = The form could not be read. Reload the page and try again.
error-conflict-title = That cannot be done now
error-too-large-title = Too large
error-too-large = The request is larger than this site accepts for this form or file.
error-internal-title = Something went wrong
error-internal = An unexpected error happened on our side. It has been logged; please try again.
error-status = Error { $status }
error-back-home = Back to the start page

date-invalid = Enter a date as YYYY-MM-DD.
date-out-of-range = Enter a date between the years 2000 and 2200.
amount-not-positive = Enter an amount greater than zero.
currency-unsupported = Choose one of the listed currencies.

email-invalid = Enter an email address such as name@example.eu.
email-taken = An account with this email already exists.
password-too-short = Use at least { $min } characters.
display-name-missing = Tell us your name.
company-name-missing = Enter your company's name.
organisation-name-missing = Name the organisation.
organisation-name-taken = An organisation with this name is already registered.
organisation-other-kind = “{ $name }” is a { $kind } organisation, not a { $wanted } one.
legal-name-missing = Enter the company's registered legal name.
country-missing = Choose the country where the company is registered.
registration-number-missing = Enter the company's registration number (e.g. SIREN, HRB, KvK).
registration-number-invalid = Use letters, digits, spaces, dots, dashes or slashes (40 at most).
admin-kind-missing = Choose funder or provider.

programme-name-missing = Give the programme a name.
programme-name-too-long = Keep the name under { $max } characters.
programme-description-missing = Describe who the programme is for and what it funds.
programme-max-award-over-budget = The maximum award cannot exceed the budget.
programme-closes-before-opening = The programme must close on or after the day it opens.

apply-company-not-registered = Register your company (legal name, country, registration number) before applying.
apply-programme-not-open = “{ $name }” is not accepting applications ({ $phase }).
apply-over-max-award = This programme awards at most { $max }.
apply-purpose-too-short = Describe in a few sentences ({ $min } characters at least) what the compute is for.
apply-hardware-missing = Choose the kind of hardware you need.
apply-provider-missing = Choose the provider where you will use the credits.

decide-choose = Choose approve or reject.
decide-over-requested = The startup asked for { $requested }; award that or less.
decide-reason-too-short = Tell the startup why, in a sentence ({ $min } characters at least).
decide-already-decided = Application { $reference } has already been decided or withdrawn.
decide-budget-exhausted = The programme has only { $available } left to award.
withdraw-not-pending = Only an application still awaiting a decision can be withdrawn.

upload-twin-posted = This exact file was already posted as upload #{ $upload }. Nothing was posted.
upload-already-posted = Upload #{ $upload } has already been posted.
upload-grant-cannot-pay = Grant { $grant } has only { $available } left and this file charges it { $requested }. Nothing was posted.
upload-total-inexact = The file's total cannot be added exactly (more than 28 significant digits).

ledger-limit-exceeded = { $account } has only { $available } available; { $requested } was asked for.
ledger-refused = The ledger refused this movement. Nothing was changed.
error-internal-reference = An unexpected error happened on our side. It has been logged under reference { $reference }; please try again, and quote it if you contact us.
text-control-characters = Remove the control characters (such as NUL) from this field.
text-too-long = Keep this under { $max } characters.
apply-already-open = Your company already has an application to this programme awaiting a decision.
login-throttled = { $seconds ->
    [one] Too many attempts. Wait one second before trying again.
   *[other] Too many attempts. Wait { $seconds } seconds before trying again.
}
error-too-many-title = Too many attempts
error-too-many = Too many requests came from your address. Wait a moment and try again.
verify-link-invalid = This link has expired or was already used. Sign in, or register again to get a new one.
reset-link-invalid = This link has expired or was already used. Ask for a new one.
current-password-wrong = That is not your current password.
erase-confirm-missing = Tick the box to confirm that you want your account erased.
error-busy-title = Busy right now
error-busy = The service is busy with other requests from your organisation or from others. Try again in a few seconds.
amount-ambiguous = “{ $text }” could be read two ways (a thousands group or a decimal); write it like { $example }.
role-not-offered = Choose one of the roles offered.
invitation-already-member = This person is already a member of your organisation.
invitation-address-elsewhere = This address already belongs to a member of another organisation; a person belongs to one organisation.
last-owner = An organisation keeps at least one owner: make someone else owner first.
two-factor-code-wrong = This code is not right, or was already used. Enter the current code from your app, or a recovery code.
two-factor-required-by-organisation = Your organisation requires a second factor: it cannot be turned off.
two-factor-owner-first = Turn on your own second factor first (in your account), so that you cannot lock yourself out.
invoice-empty = Choose an invoice file: none was sent, or it is empty.
invoice-too-large = The invoice is larger than { $mb } MB.
invoice-usage-not-submitted = Invoices go with submitted usage: submit this usage file first (or it was already decided).
invoice-credit-note-not-yet = This is a credit note; only invoices (type 380) are accepted against usage.
invoice-number-missing = The invoice has no number (BT-1).
invoice-number-taken = You already sent an invoice numbered { $number }: an invoice number is used once.
invoice-currency-mismatch = The invoice is in { $invoice } but the usage is in { $usage }.
invoice-line-no-grant = Line { $line } does not name a grant of this usage (found “{ $reference }”): put the grant code in the line's object identifier (BT-128) or buyer accounting reference (BT-133).
invoice-grant-already-invoiced = Grant { $grant } is already invoiced for this usage, or its charge is not held.
invoice-no-lines = The invoice has no lines.
invoice-grant-amount-mismatch = Grant { $grant }: the invoice bills { $invoiced } net but { $held } is held for it.
invoice-several-funders = The grants billed belong to programmes of different funders: send one invoice per funder.
invoice-buyer-not-funder = The buyer is “{ $buyer }”, but these grants are funded by { $funder }: the invoice is addressed to the funder.
invoice-already-decided = Invoice { $number } was already decided.
invoice-dispute-reason-missing = Say why you dispute it (at most { $max } characters): the provider reads it.
offering-price-invalid = Enter a price of zero or more, with at most eight decimals, such as 2.40.
offering-date-invalid = Enter a date as YYYY-MM-DD between 2000 and 2200.
offering-field-missing = Fill this in.
offering-hardware-invalid = Choose GPU, IPU, OPU or CPU.
offering-sku-taken = Another current offering already has SKU { $sku }: change its price instead.
offering-closed = This offering has ended; add a new one.
offering-change-too-early = The change must start after { $from }, when the current price started: history is not rewritten.
catalogue-too-many = A catalogue lists at most { $max } offerings.
catalogue-sku-missing = Every offering needs its SKU: it is how a catalogue sent again is matched with the one kept.
catalogue-sku-twice = SKU { $sku } is listed twice.
catalogue-withdrawal-too-early = { $name } started on { $from }: leaving it out must take effect after that day (history is not rewritten).
programme-tolerance-invalid = Enter a whole percentage from 0 to 100.
settlement-reference-invalid = Give a reference of 1 to 35 characters: letters, digits and / - ? : ( ) . , ' + only (SEPA's characters).
iban-invalid = This is not a valid IBAN (its check digits do not match).
bic-invalid = Enter a BIC of 8 or 11 characters, such as BNPAFRPP.
settlement-no-invoice = Tick at least one approved invoice to pay.
settlement-invoice-not-payable = Invoice { $number } is not approved, or is already paid.
settlement-invoice-no-iban = Invoice { $number } names no valid account to pay (BT-84): ask the provider for a corrected invoice.
settlement-mixed-currencies = One payment, one currency: pay invoices in other currencies separately.
settlement-not-euro = SEPA transfers are in euros: this payment file cannot pay other currencies.
settlement-invoice-already-paid = One of these invoices was paid meanwhile; nothing was recorded. Look again and retry.
flag-reason-missing = Say what you do not recognise (at most { $max } characters).
invoice-part-out-of-range = The amount for { $grant } must be between zero and what is held for it.
invoice-part-reason-missing = Say why you approve only part (at most { $max } characters): the provider reads it.
programme-hold-days-invalid = Enter a whole number of days from 1 to 3650.
invoice-expired = Invoice { $number } expired: its holds were released when the programme's hold period ran out.
