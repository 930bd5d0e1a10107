# Approving several applications from the ranking, the reviewer-assignment alert and the offer
# gaps (lapses audited, offers voided when their programme is archived, one open application or
# offer per programme).
review-approve-several = Approve the selected applications
review-approve-several-hint = Each ticked application is offered the amount in its row: its requested amount unless you change it. All are approved, or none.
review-col-amount = Amount to offer
review-approve-selected = Approve the selected applications…
title-confirm-approve = Approve { $count } applications?
review-approve-confirm-warning = Each application below is offered its amount, committed on the programme's budget until the startup answers. Either all are approved or none is.
review-approve-total = Total offered
review-approve-available = Available budget of the programme
review-approve-over-budget = The total is more than the programme's available budget: the approval will be refused.
review-approve-confirm-box = I confirm the approval of these applications.
review-approve-confirm = Approve them
flash-approved-several = The applications are approved: each startup has its offer to answer.
review-bulk-refused = Nothing was approved: { $reference } ({ $startup }) was refused.
alert-kind-review-assigned = an application is assigned to me for review
alert-subject-review-assigned = An application awaits your review
alert-review-assigned = You are asked to review application { $reference } to { $programme }. Declare any conflict of interest first; then you can read and score it.
audit-action-offer-lapsed = offer lapsed
alert-offer-cancelled = The offer of { $amount } on application { $reference } is withdrawn: the programme { $programme } was archived. The credits were not awarded.
alert-offer-cancelled-reason = The offer of { $amount } on application { $reference } is withdrawn: the programme { $programme } was archived ({ $reason }). The credits were not awarded.
apply-offer-open = Your company already has an offer from this programme awaiting its answer: accept or decline it before applying again.
