# Cycle de vie des programmes (brouillon, ouvert, clos, archivé) et règles d'éligibilité.

phase-draft = brouillon
phase-archived = archivé

title-edit-programme = Modifier le programme en brouillon
title-archived-programmes = Programmes archivés
programmes-current = Programmes en cours
programmes-archived-link = Programmes archivés
programme-edit-intro = Un brouillon n'est pas visible des start-up et n'est pas encore financé : tous les champs peuvent encore changer.
programme-edit-not-draft = Ce programme n'est plus un brouillon : il ne peut plus être modifié. Sur sa page, vous pouvez prolonger sa date de clôture ou augmenter son budget, en donnant la raison.
programme-draft-save = Enregistrer le brouillon
programme-create-choice = Ouvrez-le maintenant (son budget est réservé dans le grand livre et les start-up peuvent candidater), ou enregistrez-le comme brouillon pour le vérifier et fixer d'abord ses règles d'éligibilité.
programme-save-draft = Enregistrer comme brouillon
flash-programme-draft-saved = Brouillon enregistré. Les start-up ne le voient pas tant que vous ne l'ouvrez pas.
flash-programme-changed = Programme mis à jour ; la modification figure dans son journal.

programme-not-draft = Seul un brouillon peut être modifié ainsi ; ce programme est { $status ->
    [open] ouvert
    [closed] clos
    [archived] archivé
   *[other] { $status }
}.
programme-change-not-open = Seul un programme ouvert peut être prolongé ou recevoir un budget plus élevé ; celui-ci est { $status ->
    [draft] un brouillon (modifiez-le plutôt)
    [closed] clos
    [archived] archivé
   *[other] { $status }
}.
programme-changed-meanwhile = Le programme a été modifié par quelqu'un d'autre entre-temps ; rechargez la page et réessayez.
programme-change-reason-too-short = Indiquez pourquoi, en { $min } caractères au moins : la raison est conservée dans le journal des modifications du programme.
programme-extend-not-later = La nouvelle date de clôture doit être postérieure à l'actuelle ({ $current }).
programme-raise-not-higher = Le nouveau budget doit être supérieur à l'actuel ({ $current }) ; un budget ne peut qu'être augmenté.
programme-transition-refused = Un programme { $from } ne peut pas devenir { $to }.
programme-archived-read-only = Ce programme est archivé : il est en lecture seule.
programme-status-invalid = Le statut doit être « open » ou « draft ».
programme-confirm-missing = Cochez la case pour confirmer.

programme-change-opened = Ouvert : budget réservé dans le grand livre
programme-change-closed = Clos aux candidatures
programme-change-archived = Archivé
programme-change-extended = Date de clôture prolongée du { $from } au { $to }
programme-change-raised = Budget augmenté de { $from } à { $to }

lifecycle-title = Cycle de vie
lifecycle-draft-intro = Ce programme est un brouillon : les start-up ne le voient pas et son budget n'est pas encore réservé.
lifecycle-edit-draft = Modifier le brouillon
lifecycle-open-intro = L'ouverture réserve le budget de { $amount } dans le grand livre et montre l'appel aux start-up. Ensuite, seules la prolongation de la date de clôture et l'augmentation du budget sont possibles.
lifecycle-open-confirm = J'ai vérifié le programme et ses règles : l'ouvrir.
lifecycle-open = Ouvrir le programme
lifecycle-extend = Prolonger la date de clôture
lifecycle-new-closing = Nouvelle date de clôture
lifecycle-reason = Raison
lifecycle-reason-hint = (obligatoire, conservée dans le journal des modifications)
lifecycle-reason-optional = Raison (facultative, conservée dans le journal des modifications)
lifecycle-new-budget = Nouveau budget total
lifecycle-raise = Augmenter le budget
lifecycle-close = Clore le programme
lifecycle-close-intro = Un programme clos ne reçoit plus de candidatures. Les candidatures déjà déposées peuvent encore être décidées.
lifecycle-close-confirm = Je comprends que la clôture est définitive.
lifecycle-archive-intro = L'archivage met le programme en lecture seule et le retire de la liste des programmes (il reste sous « Programmes archivés »).
lifecycle-archive-confirm = Je comprends que l'archivage est définitif.
lifecycle-archive = Archiver le programme
lifecycle-archived-intro = Ce programme est archivé : il est en lecture seule.
lifecycle-changes = Journal des modifications
lifecycle-col-when = Quand
lifecycle-col-who = Qui
lifecycle-col-what = Quoi
lifecycle-col-why = Pourquoi

eligibility-title = Éligibilité
eligibility-no-rules = Aucune règle d'éligibilité : toute start-up immatriculée peut candidater.
eligibility-rule-countries = Pays
eligibility-rule-categories = Catégories d'entreprise
eligibility-rule-age = Âge maximal de l'entreprise
eligibility-rule-hardware = Types de matériel
eligibility-eu-eea = UE/EEE (les 27 États membres, l'Islande, le Liechtenstein et la Norvège)
eligibility-eu-eea-hint = UE/EEE : { $codes }.
eligibility-countries-any = Tous les pays
eligibility-countries-list = Seulement ces pays
eligibility-field-countries = Pays acceptés
eligibility-hint-countries = (codes ISO à deux lettres séparés par des virgules, comme FR, DE, BE ; avec « Seulement ces pays »)
eligibility-limit-categories = Seulement ces catégories
eligibility-limit-hardware = Seulement ces types de matériel
eligibility-field-age = Âge maximal de l'entreprise, en années
eligibility-hint-age = (compté depuis la date de création du profil de l'entreprise ; laisser vide pour aucune limite)
eligibility-age-value = { $years ->
    [one] un an
   *[other] { $years } ans
}
eligibility-save = Enregistrer les règles
eligibility-category-name-micro = micro-entreprise
eligibility-category-name-small = petite entreprise
eligibility-category-name-medium = moyenne entreprise
eligibility-category-name-large = grande entreprise

eligibility-age-invalid = Saisissez un nombre entier d'années de 1 à { $max }, ou laissez vide.
eligibility-categories-empty = Choisissez au moins une catégorie, ou décochez « Seulement ces catégories ».
eligibility-hardware-empty = Choisissez au moins un type de matériel, ou décochez « Seulement ces types de matériel ».
eligibility-hardware-unknown = « { $kind } » n'est pas un type de matériel du catalogue.
eligibility-countries-empty = Saisissez au moins un code pays, ou choisissez une autre option.
eligibility-country-code-invalid = « { $code } » n'est pas un code pays ISO à deux lettres.
eligibility-countries-rule-invalid = Choisissez quels pays sont acceptés.
eligibility-category-invalid = Choisissez des catégories dans la liste.

eligibility-country = L'entreprise est immatriculée en { $country }, un pays que ce programme n'accepte pas.
eligibility-country-unknown = Le pays d'immatriculation de l'entreprise n'est pas connu, et ce programme n'accepte que certains pays.
eligibility-category = L'entreprise est une { $category ->
    [micro] micro-entreprise
    [small] petite entreprise
    [medium] moyenne entreprise
   *[large] grande entreprise
}, une catégorie que ce programme n'accepte pas.
eligibility-category-unknown = La catégorie de PME de l'entreprise n'est pas connue (pas de profil d'entreprise avec ses comptes), et ce programme n'accepte que certaines catégories.
eligibility-too-old = L'entreprise a été créée il y a { $years } ans ; ce programme accepte les entreprises de { $max } ans au plus.
eligibility-age-unknown = La date de création de l'entreprise ne figure pas dans son profil, et ce programme fixe un âge maximal.
eligibility-hardware = Ce programme ne finance pas le matériel { $hardware }.
eligibility-eligible = Éligible : la candidature respecte toutes les règles du programme.
eligibility-ineligible = Non éligible : la candidature ne respecte pas ces règles du programme. Elle ne peut être approuvée qu'avec une raison enregistrée.
eligibility-overridden = Approuvée bien que non éligible, pour la raison suivante :
field-override-reason = Raison d'approuver malgré l'inéligibilité
hint-override-reason = (obligatoire pour approuver cette candidature ; conservée avec elle et dans le journal d'audit)
decide-ineligible-needs-override = Cette candidature ne respecte pas les règles d'éligibilité : pour l'approuver, donnez la raison ({ $min } caractères au moins).

field-founded-on = Date de création
hint-founded-on = (date d'immatriculation ; des programmes peuvent fixer un âge maximal)
company-founded-on-invalid = Saisissez une date de création qui ne soit pas dans le futur.

audit-action-programme-draft-edited = programme en brouillon modifié
audit-action-programme-eligibility-set = règles d'éligibilité fixées
audit-action-programme-opened = programme ouvert
audit-action-programme-closing-extended = date de clôture du programme prolongée
audit-action-programme-budget-raised = budget du programme augmenté
audit-action-programme-closed = programme clos
audit-action-programme-archived = programme archivé
audit-action-eligibility-overridden = éligibilité passée outre

eligibility-flag = non éligible
