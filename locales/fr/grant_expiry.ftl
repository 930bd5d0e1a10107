# Expiration, reprise, prolongation et révocation des aides.

field-unused-credit = Crédit inutilisé
hint-unused-credit = (où va le crédit inutilisé d'une aide qui expire ou est révoquée)
unused-credit-budget_while_open = retour au budget du programme tant qu'il est ouvert, sinon caduc
unused-credit-expired = toujours caduc (le compte des crédits expirés du programme)
programme-unused-credit-invalid = Choisissez où va le crédit inutilisé.

grant-status-active = active
grant-status-expired = expirée
grant-status-revoked = révoquée

grant-changes-title = Modifications de cette aide
col-grant-change = Modification
col-grant-change-by = Par
col-clawed-back = Repris
grant-change-by-system = ComputeGrants (fin de validité)
grant-change-extended = prolongée
grant-change-revoked = révoquée
grant-change-expired = expirée à la fin de sa validité
grant-change-extended-to = prolongée jusqu'au { $until }

grant-extend-title = Prolonger cette aide
field-grant-valid-until = Nouvelle fin de validité
hint-grant-valid-until = (un jour postérieur à la fin actuelle)
field-grant-extend-reason = Motif de la prolongation
hint-grant-reason = (la startup le lit sur la page de son aide)
grant-extend = Prolonger l'aide

grant-revoke-title = Révoquer cette aide
grant-revoke-intro = Une aide révoquée n'accepte plus d'usage et son crédit inutilisé est repris aussitôt. L'usage déjà soumis attend toujours votre décision sur sa facture. Une confirmation vous sera demandée.
field-grant-revoke-reason = Motif de la révocation
grant-revoke-next = Poursuivre la révocation…
title-grant-revoke = Révoquer l'aide { $code } ?
grant-revoke-warning = La révocation est définitive. L'aide n'acceptera plus d'usage et { $amount } de crédit inutilisé seront repris dès maintenant.
grant-revoke-confirm = Oui, révoquer l'aide
grant-revoke-cancel = Non, conserver l'aide

flash-grant-extended = Aide prolongée.
flash-grant-revoked = Aide révoquée ; son crédit inutilisé a été repris.

grant-reason-missing = Indiquez un motif : la startup le lira.
grant-extend-not-later = Choisissez un jour postérieur au { $until }, la fin de validité actuelle.
grant-not-active = L'aide { $grant } est déjà { $status ->
        [expired] expirée
        [revoked] révoquée
       *[other] { $status }
    } : elle ne peut plus être modifiée.
grant-changed-meanwhile = L'aide { $grant } a été modifiée entre-temps par quelqu'un d'autre ; consultez-la de nouveau.

audit-action-grant-extended = aide prolongée
audit-action-grant-revoked = aide révoquée
audit-action-grant-expired = aide expirée

cli-grants-bad-date = « { $text } » n'est pas une date : utilisez AAAA-MM-JJ
cli-grant-expired = { $grant } expirée : { $amount } repris vers { $destination ->
        [budget] le budget du programme
       *[expired] le compte des crédits expirés du programme
    }
cli-grant-swept = { $grant } était terminée : { $amount } revenus sur l'aide repris vers { $destination ->
        [budget] le budget du programme
       *[expired] le compte des crédits expirés du programme
    }
cli-grant-expiry-failed = { $grant } n'a pas pu expirer (nouvel essai au prochain passage) : { $problem }
cli-grants-expired = { $count ->
        [one] 1 aide expirée
       *[other] { $count } aides expirées
    } et { $swept } reprise(s) au { $as_of }

upload-grant-ended = L'aide { $grant } { $status ->
        [revoked] a été révoquée
       *[other] a expiré
    } depuis la vérification de ce fichier : elle n'accepte plus d'usage et rien n'a été soumis.
