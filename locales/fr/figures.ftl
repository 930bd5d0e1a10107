# Chiffres (domain::figures) : les chiffres d’un programme et d’une subvention, chacun avec les écritures qui le forment.
figures-title = Chiffres du grand livre
figures-intro = Chaque chiffre est la somme d’écritures du grand livre : suivez-le pour les voir.
figures-identities = Budget + restitué = engagé + attribué + restant. Attribué = dépensé + bloqué + repris + non dépensé.
figures-grant-identity = Crédité = dépensé + bloqué + repris + solde.
figures-caption = Les chiffres du programme
figures-grant-caption = Les chiffres de la subvention
figures-col-figure = Chiffre
figures-see-entries = Voir les écritures
figures-shares-caption = La part de chaque financeur dans le budget
figures-shares-pooled = Le budget est mis en commun : les attributions et les dépenses ne sont pas enregistrées par financeur, elles ne sont donc pas réparties entre financeurs (pas même au prorata).
figures-entries-title = Écritures derrière « { $figure } »
figures-back = Retour à { $name }
figures-entries-make = { $count ->
    [0] Aucune écriture : le chiffre est de { $amount }.
    [one] Cette écriture fait { $amount }.
   *[other] Ces { $count } écritures font { $amount }.
}
figures-entries-caption = Écritures du grand livre, les plus récentes d’abord
figures-col-legs = Imputations
figures-phase-held = bloquée, pas encore passée
figures-side-debit = débit
figures-side-credit = crédit
figures-total = Total
figure-budget = Budget
figure-committed = Engagé dans des offres ouvertes
figure-awarded = Attribué
figure-held = Bloqué
figure-spent = Dépensé
figure-clawed-back = Repris
figure-returned = Restitué au budget
figure-remaining = Restant
figure-unspent = Non dépensé sur les subventions
figure-credited = Crédité
figure-balance = Solde
figure-means-budget = Ce que les financeurs ont engagé dans le programme.
figure-means-committed = Budget offert à des start-up qui n’ont pas encore accepté, refusé ou laissé expirer l’offre.
figure-means-awarded = Crédits attribués aux subventions.
figure-means-held = Consommation soumise par les fournisseurs et bloquée sur les subventions jusqu’à ce que le financeur approuve la facture.
figure-means-spent = Consommation approuvée par le financeur, moins les avoirs des fournisseurs.
figure-means-clawed-back = Crédit inutilisé repris sur les subventions expirées ou révoquées.
figure-means-returned = La part du crédit repris qui est revenue au budget du programme.
figure-means-remaining = Budget ni attribué ni engagé dans une offre ouverte.
figure-means-unspent = Ce que les subventions peuvent encore dépenser : crédité, moins dépensé, bloqué et repris.
figure-means-credited = Les crédits attribués à cette subvention.
figure-means-balance = Ce que la subvention peut encore dépenser : crédité, moins dépensé, bloqué et repris.
