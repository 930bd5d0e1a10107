# Refus : champs de formulaire, conflits, pages d'erreur.

amount-empty = Saisissez un montant, par exemple { $example }.
amount-not-a-number = « { $text } » n'est pas un montant ; écrivez-le sous la forme { $example }.
amount-wrong-decimal-mark = « { $text } » est ambigu : en français, séparez les centimes par une virgule, par exemple { $example }.
amount-bad-grouping = « { $text } » comporte des groupes de chiffres qui ne sont pas des groupes de trois ; écrivez-le sous la forme { $example }.
amount-too-precise = « { $text } » comporte plus de deux décimales ; arrondissez au centime.
amount-too-large = « { $text } » est trop élevé.
amount-example = 1 250,50

error-not-found-title = Page introuvable
error-not-found = Il n'y a rien ici, ou vous n'avez pas accès à ce contenu.
error-csrf-title = Formulaire expiré
error-csrf = Ce formulaire a expiré ou ne provient pas de ce site. Revenez en arrière, rechargez la page et recommencez.
error-bad-request-title = Vérifiez votre saisie
error-bad-request = La demande n'a pas pu être comprise.
error-bad-form = Le formulaire n'a pas pu être lu. Rechargez la page et recommencez.
error-conflict-title = Cette opération n'est pas possible pour le moment
error-too-large-title = Envoi trop volumineux
error-too-large = La demande dépasse la taille que ce site accepte pour ce formulaire ou ce fichier.
error-internal-title = Une erreur est survenue
error-internal = Une erreur inattendue s'est produite de notre côté. Elle a été consignée ; veuillez réessayer.
error-status = Erreur { $status }
error-back-home = Retour à l'accueil

date-invalid = Saisissez une date au format AAAA-MM-JJ.
date-out-of-range = Saisissez une date comprise entre l'an 2000 et l'an 2200.
amount-not-positive = Saisissez un montant supérieur à zéro.
currency-unsupported = Choisissez l'une des devises proposées.

email-invalid = Saisissez une adresse électronique, par exemple nom@exemple.eu.
email-taken = Un compte existe déjà avec cette adresse électronique.
password-too-short = Utilisez au moins { $min } caractères.
display-name-missing = Indiquez vos prénom et nom.
company-name-missing = Indiquez le nom de votre entreprise.
organisation-name-missing = Indiquez le nom de l'organisation.
organisation-name-taken = Une organisation portant ce nom est déjà inscrite.
organisation-other-kind = « { $name } » est une organisation de type { $kind }, et non { $wanted }.
legal-name-missing = Indiquez la dénomination sociale de l'entreprise.
country-missing = Choisissez le pays d'immatriculation de l'entreprise.
registration-number-missing = Indiquez le numéro d'immatriculation de l'entreprise (SIREN, HRB, KvK…).
registration-number-invalid = Utilisez des lettres, des chiffres, des espaces, des points, des tirets ou des barres obliques (40 caractères au plus).
admin-kind-missing = Choisissez financeur ou fournisseur.

programme-name-missing = Donnez un intitulé au programme.
programme-name-too-long = L'intitulé ne doit pas dépasser { $max } caractères.
programme-description-missing = Décrivez à qui s'adresse le programme et ce qu'il finance.
programme-max-award-over-budget = Le montant maximal par aide ne peut pas dépasser le budget.
programme-closes-before-opening = La date de clôture doit être égale ou postérieure à la date d'ouverture.

apply-company-not-registered = Renseignez l'identité juridique de votre entreprise (dénomination, pays, numéro d'immatriculation) avant de candidater.
apply-programme-not-open = « { $name } » n'accepte pas de candidatures ({ $phase }).
apply-over-max-award = Ce programme attribue au plus { $max } par aide.
apply-purpose-too-short = Décrivez en quelques phrases ({ $min } caractères au moins) l'usage prévu du calcul.
apply-hardware-missing = Choisissez le type de matériel souhaité.
apply-provider-missing = Choisissez le fournisseur auprès duquel vous utiliserez les crédits.

decide-choose = Choisissez de retenir ou de rejeter la candidature.
decide-over-requested = La start-up a demandé { $requested } ; attribuez ce montant ou moins.
decide-reason-too-short = Expliquez à la start-up le motif du rejet, en une phrase ({ $min } caractères au moins).
decide-already-decided = La candidature { $reference } a déjà fait l'objet d'une décision ou a été retirée.
decide-budget-exhausted = Il ne reste que { $available } à attribuer sur ce programme.
withdraw-not-pending = Seule une candidature en attente de décision peut être retirée.

upload-twin-posted = Ce même fichier a déjà été comptabilisé (relevé n° { $upload }). Rien n'a été comptabilisé.
upload-already-posted = Le relevé n° { $upload } est déjà comptabilisé.
upload-grant-cannot-pay = L'aide { $grant } ne dispose plus que de { $available } et ce fichier lui impute { $requested }. Rien n'a été comptabilisé.
upload-total-inexact = Le total du fichier ne peut pas être calculé exactement (plus de 28 chiffres significatifs).

ledger-limit-exceeded = Le compte { $account } ne dispose que de { $available } ; { $requested } ont été demandés.
ledger-refused = Le grand livre a refusé ce mouvement. Rien n'a été modifié.
error-internal-reference = Une erreur inattendue s'est produite de notre côté. Elle a été consignée sous la référence { $reference } ; veuillez réessayer et rappeler cette référence si vous nous contactez.
text-control-characters = Retirez les caractères de contrôle (tels que NUL) de ce champ.
text-too-long = Ne dépassez pas { $max } caractères.
apply-already-open = Votre entreprise a déjà une candidature en attente de décision pour ce programme.
login-throttled = { $seconds ->
    [one] Trop de tentatives. Patientez une seconde avant de réessayer.
   *[other] Trop de tentatives. Patientez { $seconds } secondes avant de réessayer.
}
error-too-many-title = Trop de tentatives
error-too-many = Trop de demandes sont venues de votre adresse. Patientez un instant et réessayez.
verify-link-invalid = Ce lien a expiré ou a déjà servi. Connectez-vous, ou inscrivez-vous à nouveau pour en recevoir un autre.
reset-link-invalid = Ce lien a expiré ou a déjà servi. Demandez-en un nouveau.
current-password-wrong = Ce n'est pas votre mot de passe actuel.
erase-confirm-missing = Cochez la case pour confirmer que vous voulez effacer votre compte.
error-busy-title = Service momentanément occupé
error-busy = Le service traite d'autres demandes de votre organisation ou d'autres usagers. Réessayez dans quelques secondes.
amount-ambiguous = « { $text } » peut se lire de deux façons (groupe de milliers ou décimales) ; écrivez-le sous la forme { $example }.
role-not-offered = Choisissez l’un des rôles proposés.
invitation-already-member = Cette personne est déjà membre de votre organisation.
invitation-address-elsewhere = Cette adresse appartient déjà à un membre d’une autre organisation ; une personne n’appartient qu’à une organisation.
last-owner = Une organisation garde au moins un responsable : nommez d’abord quelqu’un d’autre responsable.
two-factor-code-wrong = Ce code est erroné ou a déjà servi. Saisissez le code actuel de votre application, ou un code de secours.
two-factor-required-by-organisation = Votre organisation exige un second facteur : il ne peut pas être désactivé.
two-factor-owner-first = Activez d’abord votre propre second facteur (dans votre compte), pour ne pas vous enfermer dehors.
invoice-empty = Choisissez un fichier de facture : aucun n'a été envoyé, ou il est vide.
invoice-too-large = La facture dépasse { $mb } Mo.
invoice-usage-not-submitted = Les factures accompagnent un usage soumis : soumettez d'abord ce relevé (ou il a déjà été tranché).
invoice-credit-note-not-yet = C'est un avoir ; seules les factures (type 380) sont acceptées pour un usage.
invoice-number-missing = La facture n'a pas de numéro (BT-1).
invoice-number-taken = Vous avez déjà envoyé une facture numérotée { $number } : un numéro de facture ne sert qu'une fois.
invoice-currency-mismatch = La facture est en { $invoice } mais l'usage est en { $usage }.
invoice-line-no-grant = La ligne { $line } ne désigne pas d'aide de cet usage (trouvé « { $reference } ») : indiquez le code de l'aide en identifiant d'objet de la ligne (BT-128) ou en référence comptable de l'acheteur (BT-133).
invoice-grant-already-invoiced = L'aide { $grant } est déjà facturée pour cet usage, ou son montant n'est pas bloqué.
invoice-no-lines = La facture n'a aucune ligne.
invoice-grant-amount-mismatch = Aide { $grant } : la facture porte { $invoiced } HT mais { $held } est bloqué pour elle.
invoice-several-funders = Les aides facturées relèvent de programmes de financeurs différents : envoyez une facture par financeur.
invoice-buyer-not-funder = L'acheteur est « { $buyer } », mais ces aides sont financées par { $funder } : la facture est adressée au financeur.
invoice-already-decided = La facture { $number } a déjà été tranchée.
invoice-dispute-reason-missing = Indiquez le motif de la contestation (au plus { $max } caractères) : le fournisseur le lira.
offering-price-invalid = Saisissez un prix positif ou nul, d'au plus huit décimales, par exemple 2,40.
offering-date-invalid = Saisissez une date AAAA-MM-JJ entre 2000 et 2200.
offering-field-missing = Renseignez ce champ.
offering-hardware-invalid = Choisissez GPU, IPU, OPU ou CPU.
offering-sku-taken = Une autre offre en cours a déjà le SKU { $sku } : modifiez plutôt son prix.
offering-closed = Cette offre est terminée ; ajoutez-en une nouvelle.
offering-change-too-early = Le changement doit commencer après le { $from }, début du prix actuel : l'historique n'est pas réécrit.
catalogue-too-many = Un catalogue compte au plus { $max } offres.
catalogue-sku-missing = Chaque offre doit avoir son SKU : c'est par lui qu'un catalogue renvoyé est rapproché de celui qui est conservé.
catalogue-sku-twice = Le SKU { $sku } figure deux fois.
catalogue-withdrawal-too-early = { $name } a commencé le { $from } : son retrait doit prendre effet après ce jour (l'historique n'est pas réécrit).
programme-tolerance-invalid = Saisissez un pourcentage entier de 0 à 100.
settlement-reference-invalid = Indiquez une référence de 1 à 35 caractères : lettres, chiffres et / - ? : ( ) . , ' + seulement (les caractères SEPA).
iban-invalid = Cet IBAN n'est pas valide (sa clé de contrôle ne correspond pas).
bic-invalid = Saisissez un BIC de 8 ou 11 caractères, par exemple BNPAFRPP.
settlement-no-invoice = Cochez au moins une facture approuvée à payer.
settlement-invoice-not-payable = La facture { $number } n'est pas approuvée, ou elle est déjà payée.
settlement-invoice-no-iban = La facture { $number } n'indique aucun compte valide à créditer (BT-84) : demandez une facture corrigée au fournisseur.
settlement-mixed-currencies = Un paiement, une devise : payez séparément les factures dans d'autres devises.
settlement-not-euro = Les virements SEPA sont en euros : ce fichier ne peut pas payer d'autres devises.
settlement-invoice-already-paid = L'une de ces factures a été payée entre-temps ; rien n'a été enregistré. Vérifiez et recommencez.
flag-reason-missing = Indiquez ce que vous ne reconnaissez pas ({ $max } caractères au plus).
invoice-part-out-of-range = Le montant pour { $grant } doit être compris entre zéro et le montant bloqué pour elle.
invoice-part-reason-missing = Indiquez pourquoi vous n'approuvez qu'une partie (au plus { $max } caractères) : le fournisseur le lira.
programme-hold-days-invalid = Saisissez un nombre entier de jours de 1 à 3650.
invoice-expired = La facture { $number } a expiré : ses montants ont été débloqués à la fin de la durée de blocage du programme.
