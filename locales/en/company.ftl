# The company profile, the SME category (Recommendation 2003/361/EC), registration numbers and
# de minimis aid (Regulation (EU) 2023/2831).

audit-action-company-profile-changed = company profile changed
title-company-profile = Company profile
nav-company-profile = Company profile
flash-company-profile-saved = Company profile saved.
company-profile-intro = Public funders need your last closed accounts and the enterprises tied to yours to work out your SME category (Commission Recommendation 2003/361/EC) and the de minimis aid you may still receive.
company-profile-read-only = Only the organisation's owner can change the profile.
company-profile-missing = The company has not declared its last closed accounts yet.
company-accounts = Last closed accounts
field-accounts-year-end = Financial year ended on
field-staff-awu = Staff headcount (annual work units)
hint-staff-awu = (full-time equivalents over the year, e.g. 7.5)
field-turnover = Annual turnover (EUR)
field-balance-sheet = Balance-sheet total (EUR)
field-vat-number = VAT number
hint-vat-number = (optional, with its country prefix, e.g. FR40303265045)
field-public-body-control = Public bodies together hold 25 % or more of the capital or voting rights
company-profile-save = Save the accounts

company-associates = Partner and linked enterprises
company-associates-intro = A partner enterprise holds, or is held by yours at, 25 % to 50 %; a linked enterprise more than 50 % (or controls or is controlled by yours).
company-associates-none = No partner or linked enterprise declared.
field-associate-name = Enterprise name
field-associate-country = Country
field-associate-registration = Registration number
field-relation = Relation
field-capital-share = Share of capital (%)
field-voting-share = Share of voting rights (%)
company-associate-add = Add the enterprise
company-associate-remove = Remove
relation-partner = Partner (25–50 %)
relation-linked = Linked (more than 50 %)

col-enterprise = Enterprise
col-relation = Relation
col-counted = Counted
col-staff-awu = Staff (AWU)
col-turnover = Turnover
col-balance-sheet = Balance sheet
col-ceiling = Ceiling
col-met = Met
company-self = This company
company-totals = Totals

sme-category = SME category
sme-working = How it is worked out
sme-micro = Micro enterprise
sme-small = Small enterprise
sme-medium = Medium-sized enterprise
sme-large = Not an SME (large enterprise)
sme-unknown = Not declared
sme-basis-threshold = { $category ->
    [micro] The micro-enterprise ceilings are met
    [small] The small-enterprise ceilings are met
   *[medium] The medium-sized-enterprise ceilings are met
} (Annex, Article 2): the category is the smallest whose ceilings the totals meet.
sme-basis-none = No SME ceiling is met (Annex, Article 2).
sme-basis-public = Public bodies hold 25 % or more: not an SME whatever the figures (Annex, Article 3(4)).
sme-note = Partners count in proportion to the holding (the higher of capital and voting rights), linked enterprises in full (Annex, Article 6).
sme-partner-holding = { $name }: a partner enterprise is held at 25 % to 50 % (declared { $holding } %).
sme-share-out-of-range = { $name }: a share is a percentage from 0 to 100 (declared { $holding } %).
sme-negative = Headcounts and amounts cannot be negative.
sme-overflow = These figures are too large to add up.

company-awu-invalid = Write the headcount as a number of work units, such as 7 or 7.5.
company-percent-invalid = Write a percentage from 0 to 100, such as 25 or 33.33.
company-amount-negative = The amount cannot be negative.
associate-name-missing = Enter the enterprise's name.
company-relation-missing = Choose partner or linked.
company-country-missing = Choose the enterprise's country.
company-year-end-future = The accounts must be closed: the year-end date cannot be in the future.
company-associate-limit = At most { $max } enterprises can be declared; ask the platform team if you need more.
company-profile-needed-first = Save the company's own accounts first.

registration-empty = Enter the number.
registration-bad-characters = The number may contain only digits and letters (spaces are fine).
registration-wrong-length = { $kind ->
    [siren] A SIREN has 9 digits
    [siret] A SIRET has 14 digits
    [siren-or-siret] A French number is a SIREN (9 digits) or a SIRET (14 digits)
   *[vat] A VAT number has { $expected } characters
}; this one has { $found }.
registration-bad-check-digit = { $kind ->
    [siren] This SIREN's check digit is wrong: check for a typing error.
    [siret] This SIRET's check digit is wrong: check for a typing error.
    [siren-or-siret] This number's check digit is wrong: check for a typing error.
   *[vat] The SIREN in this VAT number has a wrong check digit: check for a typing error.
}
registration-vat-bad-key = The key of this French VAT number should be { $expected }, not { $found }.
registration-vat-unknown-prefix = “{ $prefix }” is not the prefix of an EU VAT number (AT, BE, … EL for Greece, XI for Northern Ireland).
registration-vat-bad-format = This is not the form of a { $prefix } VAT number (such as { $example }).
registration-vat-other-country = This is a { $prefix } VAT number; the company is registered in { $country }: enter its French SIREN, SIRET or VAT number.

de-minimis = De minimis aid
de-minimis-intro = Regulation (EU) 2023/2831: at most { $ceiling } of de minimis aid per single undertaking over any { $years } years. Declare the de minimis aid your company and its linked enterprises received from other bodies.
de-minimis-none = No other de minimis aid declared.
field-aid-granted-on = Granted on
field-aid-amount = Amount (EUR)
field-granting-body = Granting body
de-minimis-add = Declare the aid
de-minimis-remove = Remove
col-granting-body = Granting body
col-source = Source
de-minimis-source-declared = declared
de-minimis-source-platform = award { $code }
de-minimis-headroom = Headroom today
de-minimis-window = Aid from { $from } to { $to }: { $aid } of the { $ceiling } ceiling; { $headroom } left.
de-minimis-ceiling-crossed = This award would cross the de minimis ceiling (Regulation (EU) 2023/2831, Art. 3(2)): the single undertaking already received { $aid } in the { $years } years ending today, and { $aid } + { $award } exceeds the { $ceiling } ceiling. At most { $headroom } can be awarded.
de-minimis-overflow = The de minimis figures are too large to add up.
de-minimis-not-eur = The de minimis ceiling is counted in euros: this programme's currency is { $currency }, so this award is not counted against it.
aid-body-missing = Enter the body that granted the aid.
aid-date-future = The aid must already be granted: the date cannot be in the future.

decision-company = The company
de-minimis-export = De minimis register (CSV)
