# Le profil de l'entreprise, la catégorie de PME (recommandation 2003/361/CE), les numéros
# d'immatriculation et les aides de minimis (règlement (UE) 2023/2831).

audit-action-company-profile-changed = profil de l'entreprise modifié
title-company-profile = Profil de l'entreprise
nav-company-profile = Profil de l'entreprise
flash-company-profile-saved = Profil de l'entreprise enregistré.
company-profile-intro = Les financeurs publics ont besoin de vos derniers comptes clôturés et des entreprises liées à la vôtre pour établir votre catégorie de PME (recommandation 2003/361/CE de la Commission) et les aides de minimis que vous pouvez encore recevoir.
company-profile-read-only = Seul le propriétaire de l'organisation peut modifier le profil.
company-profile-missing = L'entreprise n'a pas encore déclaré ses derniers comptes clôturés.
company-accounts = Derniers comptes clôturés
field-accounts-year-end = Exercice clos le
field-staff-awu = Effectif (unités de travail annuel)
hint-staff-awu = (équivalents temps plein sur l'année, par ex. 7,5)
field-turnover = Chiffre d'affaires annuel (EUR)
field-balance-sheet = Total du bilan (EUR)
field-vat-number = Numéro de TVA
hint-vat-number = (facultatif, avec le préfixe du pays, par ex. FR40303265045)
field-public-body-control = Des organismes publics détiennent ensemble 25 % ou plus du capital ou des droits de vote
company-profile-save = Enregistrer les comptes

company-associates = Entreprises partenaires et liées
company-associates-intro = Une entreprise partenaire détient la vôtre, ou est détenue par elle, à hauteur de 25 % à 50 % ; une entreprise liée, à plus de 50 % (ou contrôle la vôtre ou est contrôlée par elle).
company-associates-none = Aucune entreprise partenaire ou liée déclarée.
field-associate-name = Nom de l'entreprise
field-associate-country = Pays
field-associate-registration = Numéro d'immatriculation
field-relation = Relation
field-capital-share = Part du capital (%)
field-voting-share = Part des droits de vote (%)
company-associate-add = Ajouter l'entreprise
company-associate-remove = Retirer
relation-partner = Partenaire (25 à 50 %)
relation-linked = Liée (plus de 50 %)

col-enterprise = Entreprise
col-relation = Relation
col-counted = Prise en compte
col-staff-awu = Effectif (UTA)
col-turnover = Chiffre d'affaires
col-balance-sheet = Total du bilan
col-ceiling = Plafond
col-met = Respecté
company-self = Cette entreprise
company-totals = Totaux

sme-category = Catégorie de PME
sme-working = Détail du calcul
sme-micro = Microentreprise
sme-small = Petite entreprise
sme-medium = Moyenne entreprise
sme-large = Pas une PME (grande entreprise)
sme-unknown = Non déclarée
sme-basis-threshold = { $category ->
    [micro] Les plafonds de la microentreprise sont respectés
    [small] Les plafonds de la petite entreprise sont respectés
   *[medium] Les plafonds de la moyenne entreprise sont respectés
} (annexe, article 2) : la catégorie est la plus petite dont les totaux respectent les plafonds.
sme-basis-none = Aucun plafond de PME n'est respecté (annexe, article 2).
sme-basis-public = Des organismes publics détiennent 25 % ou plus : ce n'est pas une PME, quels que soient les chiffres (annexe, article 3, paragraphe 4).
sme-note = Les partenaires comptent au prorata de la participation (la plus élevée du capital et des droits de vote), les entreprises liées en totalité (annexe, article 6).
sme-partner-holding = { $name } : une entreprise partenaire est détenue à hauteur de 25 % à 50 % (déclaré : { $holding } %).
sme-share-out-of-range = { $name } : une part est un pourcentage de 0 à 100 (déclaré : { $holding } %).
sme-negative = Les effectifs et les montants ne peuvent pas être négatifs.
sme-overflow = Ces chiffres sont trop grands pour être additionnés.

company-awu-invalid = Indiquez l'effectif en unités de travail, par ex. 7 ou 7,5.
company-percent-invalid = Indiquez un pourcentage de 0 à 100, par ex. 25 ou 33,33.
company-amount-negative = Le montant ne peut pas être négatif.
associate-name-missing = Indiquez le nom de l'entreprise.
company-relation-missing = Choisissez partenaire ou liée.
company-country-missing = Choisissez le pays de l'entreprise.
company-year-end-future = Les comptes doivent être clôturés : la date de clôture ne peut pas être dans le futur.
company-associate-limit = Vous pouvez déclarer au plus { $max } entreprises ; demandez à l'équipe de la plateforme s'il vous en faut davantage.
company-profile-needed-first = Enregistrez d'abord les comptes de l'entreprise elle-même.

registration-empty = Indiquez le numéro.
registration-bad-characters = Le numéro ne peut contenir que des chiffres et des lettres (les espaces sont acceptées).
registration-wrong-length = { $kind ->
    [siren] Un SIREN comporte 9 chiffres
    [siret] Un SIRET comporte 14 chiffres
    [siren-or-siret] Un numéro français est un SIREN (9 chiffres) ou un SIRET (14 chiffres)
   *[vat] Un numéro de TVA comporte { $expected } caractères
} ; celui-ci en a { $found }.
registration-bad-check-digit = { $kind ->
    [siren] La clé de contrôle de ce SIREN est fausse : vérifiez qu'il n'y a pas de faute de frappe.
    [siret] La clé de contrôle de ce SIRET est fausse : vérifiez qu'il n'y a pas de faute de frappe.
    [siren-or-siret] La clé de contrôle de ce numéro est fausse : vérifiez qu'il n'y a pas de faute de frappe.
   *[vat] Le SIREN de ce numéro de TVA a une clé de contrôle fausse : vérifiez qu'il n'y a pas de faute de frappe.
}
registration-vat-bad-key = La clé de ce numéro de TVA français devrait être { $expected }, et non { $found }.
registration-vat-unknown-prefix = « { $prefix } » n'est pas le préfixe d'un numéro de TVA de l'UE (AT, BE… EL pour la Grèce, XI pour l'Irlande du Nord).
registration-vat-bad-format = Ce n'est pas la forme d'un numéro de TVA { $prefix } (par ex. { $example }).
registration-vat-other-country = C'est un numéro de TVA { $prefix } ; l'entreprise est immatriculée en { $country } : indiquez son SIREN, son SIRET ou son numéro de TVA français.

de-minimis = Aides de minimis
de-minimis-intro = Règlement (UE) 2023/2831 : au plus { $ceiling } d'aides de minimis par entreprise unique sur toute période de { $years } ans. Déclarez les aides de minimis que votre entreprise et ses entreprises liées ont reçues d'autres organismes.
de-minimis-none = Aucune autre aide de minimis déclarée.
field-aid-granted-on = Octroyée le
field-aid-amount = Montant (EUR)
field-granting-body = Organisme octroyant
de-minimis-add = Déclarer l'aide
de-minimis-remove = Retirer
col-granting-body = Organisme octroyant
col-source = Origine
de-minimis-source-declared = déclarée
de-minimis-source-platform = subvention { $code }
de-minimis-headroom = Marge disponible aujourd'hui
de-minimis-window = Aides du { $from } au { $to } : { $aid } sur le plafond de { $ceiling } ; il reste { $headroom }.
de-minimis-ceiling-crossed = Cette attribution dépasserait le plafond de minimis (règlement (UE) 2023/2831, art. 3, paragraphe 2) : l'entreprise unique a déjà reçu { $aid } au cours des { $years } ans qui s'achèvent aujourd'hui, et { $aid } + { $award } dépasse le plafond de { $ceiling }. Au plus { $headroom } peut être attribué.
de-minimis-overflow = Les montants de minimis sont trop grands pour être additionnés.
de-minimis-not-eur = Le plafond de minimis se compte en euros : ce programme est en { $currency }, cette attribution n'est donc pas comptée.
aid-body-missing = Indiquez l'organisme qui a octroyé l'aide.
aid-date-future = L'aide doit déjà être octroyée : la date ne peut pas être dans le futur.

decision-company = L'entreprise
de-minimis-export = Registre de minimis (CSV)
