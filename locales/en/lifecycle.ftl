# Programme lifecycle (draft, open, closed, archived) and eligibility rules.

phase-draft = draft
phase-archived = archived

title-edit-programme = Edit the draft programme
title-archived-programmes = Archived programmes
programmes-current = Current programmes
programmes-archived-link = Archived programmes
programme-edit-intro = A draft is not visible to startups and is not funded yet: every field may still change.
programme-edit-not-draft = This programme is no longer a draft: it can no longer be edited. On its page you may extend its closing date or raise its budget, with a reason.
programme-draft-save = Save the draft
programme-create-choice = Open it now (its budget is reserved in the ledger and startups may apply), or save it as a draft to check it and set its eligibility rules first.
programme-save-draft = Save as draft
flash-programme-draft-saved = Draft saved. It is not visible to startups until you open it.
flash-programme-changed = Programme updated; the change is in its log.

programme-not-draft = Only a draft can be changed this way; this programme is { $status ->
    [open] open
    [closed] closed
    [archived] archived
   *[other] { $status }
}.
programme-change-not-open = Only an open programme can be extended or given a larger budget; this one is { $status ->
    [draft] a draft (edit it instead)
    [closed] closed
    [archived] archived
   *[other] { $status }
}.
programme-changed-meanwhile = The programme was changed by someone else meanwhile; reload the page and try again.
programme-change-reason-too-short = Say why, in { $min } characters at least: the reason is kept in the programme's change log.
programme-extend-not-later = The new closing date must be later than the current one ({ $current }).
programme-raise-not-higher = The new budget must be higher than the current one ({ $current }); a budget can only be raised.
programme-transition-refused = A programme that is { $from } cannot become { $to }.
programme-archived-read-only = This programme is archived: it is read-only.
programme-status-invalid = The status must be “open” or “draft”.
programme-confirm-missing = Tick the box to confirm.

programme-change-opened = Opened: budget reserved in the ledger
programme-change-closed = Closed to applications
programme-change-archived = Archived
programme-change-extended = Closing date extended from { $from } to { $to }
programme-change-raised = Budget raised from { $from } to { $to }

lifecycle-title = Lifecycle
lifecycle-draft-intro = This programme is a draft: startups do not see it and its budget is not reserved yet.
lifecycle-edit-draft = Edit the draft
lifecycle-open-intro = Opening reserves the budget of { $amount } in the ledger and shows the call to startups. After that, only the closing date can be extended and the budget raised.
lifecycle-open-confirm = I have checked the programme and its rules: open it.
lifecycle-open = Open the programme
lifecycle-extend = Extend the closing date
lifecycle-new-closing = New closing date
lifecycle-reason = Reason
lifecycle-reason-hint = (required, kept in the change log)
lifecycle-reason-optional = Reason (optional, kept in the change log)
lifecycle-new-budget = New total budget
lifecycle-raise = Raise the budget
lifecycle-close = Close the programme
lifecycle-close-intro = A closed programme takes no more applications. Applications already submitted can still be decided.
lifecycle-close-confirm = I understand that closing cannot be undone.
lifecycle-archive-intro = Archiving makes the programme read-only and takes it out of the programme list (it stays under “Archived programmes”).
lifecycle-archive-confirm = I understand that archiving cannot be undone.
lifecycle-archive = Archive the programme
lifecycle-archived-intro = This programme is archived: it is read-only.
lifecycle-changes = Change log
lifecycle-col-when = When
lifecycle-col-who = Who
lifecycle-col-what = What
lifecycle-col-why = Why

eligibility-title = Eligibility
eligibility-no-rules = No eligibility rules: every registered startup may apply.
eligibility-rule-countries = Countries
eligibility-rule-categories = Enterprise categories
eligibility-rule-age = Maximum company age
eligibility-rule-hardware = Hardware kinds
eligibility-eu-eea = EU/EEA (the 27 member states, Iceland, Liechtenstein and Norway)
eligibility-eu-eea-hint = EU/EEA: { $codes }.
eligibility-countries-any = Any country
eligibility-countries-list = Only these countries
eligibility-field-countries = Countries accepted
eligibility-hint-countries = (two-letter ISO codes separated by commas, such as FR, DE, BE; used with “Only these countries”)
eligibility-limit-categories = Only these categories
eligibility-limit-hardware = Only these hardware kinds
eligibility-field-age = Maximum company age, in years
eligibility-hint-age = (counted from the founding date in the company profile; leave empty for no limit)
eligibility-age-value = { $years ->
    [one] one year
   *[other] { $years } years
}
eligibility-save = Save the rules
eligibility-category-name-micro = micro-enterprise
eligibility-category-name-small = small enterprise
eligibility-category-name-medium = medium-sized enterprise
eligibility-category-name-large = large enterprise

eligibility-age-invalid = Enter a whole number of years from 1 to { $max }, or leave it empty.
eligibility-categories-empty = Choose at least one category, or untick “Only these categories”.
eligibility-hardware-empty = Choose at least one hardware kind, or untick “Only these hardware kinds”.
eligibility-hardware-unknown = “{ $kind }” is not a hardware kind of the catalogue.
eligibility-countries-empty = Enter at least one country code, or choose another option.
eligibility-country-code-invalid = “{ $code }” is not a two-letter ISO country code.
eligibility-countries-rule-invalid = Choose which countries are accepted.
eligibility-category-invalid = Choose categories from the list.

eligibility-country = The company is registered in { $country }, a country this programme does not accept.
eligibility-country-unknown = The company's country of registration is not known, and this programme accepts only some countries.
eligibility-category = The company is a { $category ->
    [micro] micro-enterprise
    [small] small enterprise
    [medium] medium-sized enterprise
   *[large] large enterprise
}, a category this programme does not accept.
eligibility-category-unknown = The company's SME category is not known (no company profile with its accounts), and this programme accepts only some categories.
eligibility-too-old = The company was founded { $years } years ago; this programme accepts companies of at most { $max } years.
eligibility-age-unknown = The company's founding date is not in its profile, and this programme has a maximum company age.
eligibility-hardware = This programme does not fund { $hardware } hardware.
eligibility-eligible = Eligible: the application meets every rule of the programme.
eligibility-ineligible = Not eligible: the application fails these rules of the programme. It can be approved only with a recorded reason.
eligibility-overridden = Approved although ineligible, because:
field-override-reason = Reason for approving although ineligible
hint-override-reason = (required to approve this application; kept with it and in the audit log)
decide-ineligible-needs-override = This application fails eligibility rules: to approve it, give the reason ({ $min } characters at least).

field-founded-on = Founding date
hint-founded-on = (date of registration; programmes may have a maximum company age)
company-founded-on-invalid = Enter a founding date that is not in the future.

audit-action-programme-draft-edited = draft programme edited
audit-action-programme-eligibility-set = eligibility rules set
audit-action-programme-opened = programme opened
audit-action-programme-closing-extended = programme closing date extended
audit-action-programme-budget-raised = programme budget raised
audit-action-programme-closed = programme closed
audit-action-programme-archived = programme archived
audit-action-eligibility-overridden = eligibility overridden

eligibility-flag = not eligible
