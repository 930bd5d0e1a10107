# Approbation de plusieurs candidatures depuis le classement, alerte d'affectation d'un
# évaluateur et lacunes des offres (expirations journalisées, offres annulées à l'archivage du
# programme, une seule candidature ou offre ouverte par programme).
review-approve-several = Approuver les candidatures sélectionnées
review-approve-several-hint = Chaque candidature cochée reçoit une offre du montant de sa ligne : le montant demandé, sauf si vous le modifiez. Toutes sont approuvées, ou aucune.
review-col-amount = Montant à offrir
review-approve-selected = Approuver les candidatures sélectionnées…
title-confirm-approve = Approuver { $count } candidatures ?
review-approve-confirm-warning = Chaque candidature ci-dessous reçoit une offre de son montant, engagé sur le budget du programme jusqu'à la réponse de la startup. Toutes sont approuvées, ou aucune.
review-approve-total = Total offert
review-approve-available = Budget disponible du programme
review-approve-over-budget = Le total dépasse le budget disponible du programme : l'approbation sera refusée.
review-approve-confirm-box = Je confirme l'approbation de ces candidatures.
review-approve-confirm = Les approuver
flash-approved-several = Les candidatures sont approuvées : chaque startup a son offre à accepter ou refuser.
review-bulk-refused = Rien n'a été approuvé : { $reference } ({ $startup }) a été refusée.
alert-kind-review-assigned = une candidature m'est confiée pour évaluation
alert-subject-review-assigned = Une candidature attend votre évaluation
alert-review-assigned = Vous êtes chargé·e d'évaluer la candidature { $reference } au programme { $programme }. Déclarez d'abord tout conflit d'intérêts ; vous pourrez ensuite la lire et la noter.
audit-action-offer-lapsed = offre expirée
alert-offer-cancelled = L'offre de { $amount } sur la candidature { $reference } est retirée : le programme { $programme } a été archivé. Les crédits n'ont pas été attribués.
alert-offer-cancelled-reason = L'offre de { $amount } sur la candidature { $reference } est retirée : le programme { $programme } a été archivé ({ $reason }). Les crédits n'ont pas été attribués.
apply-offer-open = Votre entreprise a déjà une offre de ce programme en attente de réponse : acceptez-la ou refusez-la avant de candidater à nouveau.
