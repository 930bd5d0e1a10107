# A grant's usage: by month, service and SKU, and when it runs out (domain::grant_usage).
grant-usage-title = What the credit was used for
grant-run-out = Runs out at the current rate:
grant-run-out-no-use = no projection, as the grant was not used in the last { $days } days.
grant-run-out-exhausted = nothing is left to spend.
grant-run-out-on = around { $date } (at { $rate } a day, the average of recent use).
grant-run-out-outlasts = not before the grant ends: about { $left } would be left unused (at { $rate } a day, the average of recent use).
grant-usage-none = No usage has been charged to this grant yet.
grant-usage-note = These figures add up the usage lines providers submitted against the grant, exactly, rounded once per figure; the statement below is the account.
chart-grant-by-month = Usage by month
chart-grant-by-service = Usage by service
grant-usage-by-sku = Usage by SKU and month

# A programme's burn-down (domain::burn_down).
burn-down-title = When the budget runs out:
burn-down-no-recent = no projection, as nothing was spent in the last { $months } months.
burn-down-spent = the budget is spent.
burn-down-around = around { $month }, at { $rate } a month (the average of the last { $months } months).
burn-down-not-in-sight = not in sight at { $rate } a month.
chart-burn-down = Budget left at the end of each month
col-budget-left = Budget left

# A programme's grants by enterprise category.
report-by-category = Grants by enterprise category (as the companies' profiles say today)
report-col-category = Enterprise category
report-col-grants = Grants
report-category-unknown = not declared
