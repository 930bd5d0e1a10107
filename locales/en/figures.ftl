# Figures (domain::figures): a programme's and a grant's figures, each with the ledger entries that make it.
figures-title = Figures from the ledger
figures-intro = Each figure is the sum of ledger entries: follow it to see them.
figures-identities = Budget + returned = committed + awarded + remaining. Awarded = spent + held + clawed back + unspent.
figures-grant-identity = Credited = spent + held + clawed back + balance.
figures-caption = The programme's figures
figures-grant-caption = The grant's figures
figures-col-figure = Figure
figures-see-entries = See the entries
figures-shares-caption = Each funder's part of the budget
figures-shares-pooled = The budget is pooled: awards and spending are not recorded per funder, so they are not split between funders (not even pro rata).
figures-entries-title = Entries behind “{ $figure }”
figures-back = Back to { $name }
figures-entries-make = { $count ->
    [0] No entry: the figure is { $amount }.
    [one] This entry makes { $amount }.
   *[other] These { $count } entries make { $amount }.
}
figures-entries-caption = Ledger entries, newest first
figures-col-legs = Legs
figures-phase-held = held, not yet posted
figures-side-debit = debit
figures-side-credit = credit
figures-total = Total
figure-budget = Budget
figure-committed = Committed to open offers
figure-awarded = Awarded
figure-held = Held
figure-spent = Spent
figure-clawed-back = Clawed back
figure-returned = Returned to the budget
figure-remaining = Remaining
figure-unspent = Unspent on grants
figure-credited = Credited
figure-balance = Balance
figure-means-budget = What the funders committed to the programme.
figure-means-committed = Budget offered to startups that have not yet accepted, declined or let the offer lapse.
figure-means-awarded = Credits awarded to grants.
figure-means-held = Usage submitted by providers and held on grants until the funder approves the invoice.
figure-means-spent = Usage the funder approved, less the providers' credit notes.
figure-means-clawed-back = Unused credit taken back from grants that expired or were revoked.
figure-means-returned = The part of what was clawed back that went back to the programme's budget.
figure-means-remaining = Budget neither awarded nor committed to an open offer.
figure-means-unspent = What the grants can still spend: credited, less spent, held and clawed back.
figure-means-credited = The credits awarded to this grant.
figure-means-balance = What the grant can still spend: credited, less spent, held and clawed back.
