# Notifications (domain::alerts) : la liste, les choix d'envoi par courriel et les alertes.
nav-notifications = Notifications
title-notifications = Notifications
notifications-unread = { $count ->
    [0] Aucune notification non lue.
    [one] Une notification non lue.
   *[other] { $count } notifications non lues.
}
notifications-none = Rien à vous signaler pour l'instant : les notifications sur vos candidatures, vos subventions et le travail qui vous attend apparaîtront ici.
notifications-new = Nouveau :
notifications-mark-read = Tout marquer comme lu
notifications-mail-title = Notifications reçues par courriel
notifications-mail-legend = M'écrire quand :
notifications-mail-save = Enregistrer mes choix
flash-notifications-read = Toutes les notifications sont marquées comme lues.
flash-notifications-saved = Vos choix d'envoi par courriel sont enregistrés.
alert-kind-application-received = ma candidature est reçue
alert-kind-decision = une décision est prise sur ma candidature
alert-kind-credits-used = une subvention a consommé 50, 80 et 100 % de son crédit
alert-kind-expiry-soon = une subvention prend fin dans 30 jours, puis dans 7 jours
alert-kind-funder-digest = des candidatures ou des factures nous attendent (un récapitulatif par jour)
alert-subject-application-received = Votre candidature a été reçue
alert-subject-decision = Une décision sur votre candidature
alert-subject-credits-used = Le crédit de votre subvention s'épuise
alert-subject-expiry-soon = Votre subvention prend bientôt fin
alert-subject-funder-digest = Le travail qui vous attend aujourd'hui
alert-received = La candidature { $reference } à { $programme } a été reçue.
alert-approved = La candidature { $reference } a été acceptée : { $amount } de crédits.
alert-rejected = La candidature { $reference } n'a pas été retenue.
alert-credits-used = La subvention { $code } a consommé { $percent } % de son crédit : { $used } sur { $awarded }.
alert-expiry-soon = La subvention { $code } prend fin { $days ->
    [0] aujourd'hui
    [one] demain
   *[other] dans { $days } jours
}, le { $date } : le crédit non utilisé à cette date ne sera plus disponible.
alert-funder-digest = Vous attendent : { $applications ->
    [0] aucune candidature à décider
    [one] une candidature à décider
   *[other] { $applications } candidatures à décider
} et { $invoices ->
    [0] aucune facture à approuver
    [one] une facture à approuver
   *[other] { $invoices } factures à approuver
}.
alert-unreadable = Une notification qui ne peut plus être affichée.
alert-mail-choices = Choisir les notifications reçues par courriel :

# La boîte de réception des candidatures d'un financeur (domain::inbox).
nav-inbox = Candidatures
title-inbox = Les candidatures à vos programmes
inbox-filters = Filtrer les candidatures
inbox-any-status = Tous les statuts
inbox-any-programme = Tous les programmes
inbox-search = Entreprise ou référence
inbox-search-hint = Une partie du nom de l'entreprise, ou une référence comme APP-17.
inbox-apply = Afficher
inbox-count = { $count ->
    [0] Aucune candidature ne correspond.
   *[one] { $count } candidature correspond.
    [other] { $count } candidatures correspondent.
}

# Une subvention prolongée, révoquée ou arrivée à son terme (domain::grant_expiry).
alert-kind-grant-changed = une de nos subventions est prolongée, révoquée ou prend fin
alert-subject-grant-changed = Un changement sur votre subvention
alert-grant-extended = La subvention { $code } prend désormais fin le { $date }. Motif du financeur : { $reason }
alert-grant-revoked = La subvention { $code } a été révoquée ; { $amount } de crédit non utilisé sont revenus au financeur. Motif du financeur : { $reason }
alert-grant-expired = La subvention { $code } a pris fin le { $date } ; { $amount } de crédit non utilisé sont revenus au financeur.
