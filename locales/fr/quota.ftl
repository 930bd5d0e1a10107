# Le quota réservé aux petites structures (domain::quota).
quota-field-share = Part réservée aux micro et petites entreprises (%)
quota-hint-share = Part du budget sur laquelle seules les micro et petites entreprises puisent ; les entreprises moyennes et plus grandes ne puisent que sur le reste. 0 ou vide : pas de quota. Figée dès l'ouverture du programme.
quota-share-invalid = Indiquez un pourcentage entre 0 et 100, avec au plus deux décimales.
quota-col-share = Réservé aux micro et petites entreprises
quota-share-value = { $percent } % du budget
quota-none = Pas de quota réservé
quota-title = Quota réservé aux petites structures
quota-col-pot = Enveloppe
quota-col-total = Total
quota-col-drawn = Engagé
quota-col-left = Restant
quota-pot-reserved = Réservée aux micro et petites entreprises
quota-pot-rest = Reste du budget
quota-rule = Les offres aux micro et petites entreprises puisent d'abord sur l'enveloppe réservée, puis sur le reste ; les offres à toute autre entreprise (moyenne, grande, ou catégorie non déclarée) ne puisent que sur le reste. Les offres en cours et les aides acceptées comptent ; une offre refusée ou expirée rend son montant à son enveloppe.
quota-over-rest = Cette entreprise n'est ni micro ni petite : elle ne puise que sur le reste du budget, hors quota réservé, qui permet encore { $left }.
quota-over-both-pots = Le quota réservé et le reste du budget permettent encore { $left } au total.
quota-draws-reserve = Quota réservé : cette micro ou petite entreprise puise d'abord sur l'enveloppe réservée ({ $reserved } restants), puis sur le reste ({ $rest } restants).
quota-draws-rest = Quota réservé : cette entreprise ({ $category ->
        [medium] moyenne
        [large] grande
       *[other] catégorie non déclarée
    }) ne puise que sur le reste du budget : { $left } restants.
