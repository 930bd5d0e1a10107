# L'usage d'une subvention : par mois, service et référence, et quand elle s'épuise (domain::grant_usage).
grant-usage-title = À quoi le crédit a servi
grant-run-out = Épuisement au rythme actuel :
grant-run-out-no-use = aucune projection, la subvention n'ayant pas servi ces { $days } derniers jours.
grant-run-out-exhausted = il ne reste rien à dépenser.
grant-run-out-on = vers le { $date } (à { $rate } par jour, la moyenne de l'usage récent).
grant-run-out-outlasts = pas avant la fin de la subvention : environ { $left } resteraient inutilisés (à { $rate } par jour, la moyenne de l'usage récent).
grant-usage-none = Aucun usage n'a encore été imputé à cette subvention.
grant-usage-note = Ces montants additionnent exactement les lignes d'usage soumises par les fournisseurs pour cette subvention, arrondies une seule fois par montant ; le relevé ci-dessous fait foi.
chart-grant-by-month = Usage par mois
chart-grant-by-service = Usage par service
grant-usage-by-sku = Usage par référence (SKU) et par mois

# L'épuisement du budget d'un programme (domain::burn_down).
burn-down-title = Épuisement du budget :
burn-down-no-recent = aucune projection, rien n'ayant été dépensé ces { $months } derniers mois.
burn-down-spent = le budget est dépensé.
burn-down-around = vers { $month }, à { $rate } par mois (la moyenne des { $months } derniers mois).
burn-down-not-in-sight = pas en vue à { $rate } par mois.
chart-burn-down = Budget restant à la fin de chaque mois
col-budget-left = Budget restant

# Les subventions d'un programme par catégorie d'entreprise.
report-by-category = Subventions par catégorie d'entreprise (selon les profils actuels des entreprises)
report-col-category = Catégorie d'entreprise
report-col-grants = Subventions
report-category-unknown = non déclarée
