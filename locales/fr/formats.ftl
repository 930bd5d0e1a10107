# Anomalies relevées dans les documents des fournisseurs : fichiers d'usage FOCUS et factures EN 16931.
# Les messages commencent par une minuscule : ils suivent un emplacement (« ligne 3, colonne 6 (BilledCost) : … »).

## Où se trouve l'anomalie.

location-file = fichier
location-line = ligne { $line }
location-column = colonne { $column }
location-line-column = ligne { $line }, colonne { $column }
location-line-column-number = ligne { $line }, colonne { $number } ({ $column })
location-path = { $path }
location-path-line = ligne { $line } ({ $path })
location-path-line-column = ligne { $line }, colonne { $number } ({ $path })

## Fichiers de consommation FOCUS (CSV). Les noms de colonnes (BilledCost…) sont des identifiants FOCUS : ils ne se traduisent pas.

focus-unreadable = le fichier n'est pas lisible en tant que CSV : { $detail }
focus-missing-column = l'en-tête ne comporte pas la colonne { $column }, obligatoire selon FOCUS
focus-cell-count = comporte { $cells ->
        [one] { $cells } cellule
       *[other] { $cells } cellules
    } alors que l'en-tête en compte { $expected }
focus-unreadable-line = ligne illisible : { $detail }
focus-not-utf8 = n'est pas un texte UTF-8 valide
focus-null = est vide ; { $column } doit être renseigné
focus-not-decimal = « { $value } » n'est pas un nombre décimal
focus-not-currency = « { $value } » n'est pas un code de devise ISO 4217, tel que EUR
focus-not-timestamp = « { $value } » n'est pas une date et une heure au format 2026-10-01T00:00:00Z
focus-period-order = la fin de la période de facturation doit être postérieure à son début
focus-not-category = « { $value } » n'est pas une catégorie de frais FOCUS (Usage, Purchase, Tax, Credit, Adjustment)
focus-no-consumed-quantity = est vide ; une ligne de consommation indique la quantité consommée
focus-no-consumed-unit = est vide ; indiquez l'unité dans laquelle ConsumedQuantity est exprimée
focus-no-service-name = est vide ; indiquez le service utilisé
focus-pricing-mismatch = ListCost { $list_cost } diffère de plus de { $tolerance } de ListUnitPrice { $price } × PricingQuantity { $quantity } = { $expected }
focus-tags-not-object = n'est pas un objet JSON, par exemple {"{"}"team": "ml"{"}"}
focus-totals-inexact = à partir de cette ligne, les totaux ne peuvent plus être additionnés exactement (plus de 28 chiffres significatifs) ; les totaux affichés s'arrêtent avant elle

## Factures et avoirs EN 16931 (UBL, CII). Les termes sont ceux de la norme NF EN 16931-1.

einvoice-too-large = le document fait { $size } octets ; la limite est de { $limit } octets
einvoice-not-utf8 = le document n'est pas un texte UTF-8
einvoice-dtd = le document déclare une DTD, ce qui est refusé : les déclarations d'entités et les références externes ne sont pas admises dans les factures
einvoice-not-xml = le document n'est pas un XML bien formé : { $detail }
einvoice-not-an-invoice = l'élément racine est { $element } dans l'espace de noms { $namespace } ; sont attendus une facture UBL (Invoice), un avoir UBL (CreditNote) ou une facture CII (CrossIndustryInvoice)
einvoice-not-an-invoice-no-namespace = l'élément racine est { $element }, sans espace de noms ; sont attendus une facture UBL (Invoice), un avoir UBL (CreditNote) ou une facture CII (CrossIndustryInvoice)
einvoice-not-an-amount = { $element } « { $value } » n'est pas un montant
einvoice-too-many-decimals = le montant { $element } { $value } comporte plus de deux décimales
einvoice-missing-specification = le terme métier BT-24 « Identifiant de spécification » est absent
einvoice-missing-number = le terme métier BT-1 « Numéro de facture » est absent
einvoice-missing-issue-date = le terme métier BT-2 « Date d'émission de la facture » est absent ou n'est pas une date
einvoice-missing-type-code = le terme métier BT-3 « Code de type de facture » est absent
einvoice-missing-currency = le terme métier BT-5 « Code de devise de la facture » est absent
einvoice-missing-seller-name = le terme métier BT-27 « Nom du vendeur » est absent
einvoice-missing-buyer-name = le terme métier BT-44 « Nom de l'acheteur » est absent
einvoice-missing-seller-address = le groupe de termes métier BG-5 « Adresse postale du vendeur » est absent
einvoice-missing-seller-country = le terme métier BT-40 « Code de pays du vendeur » est absent
einvoice-missing-buyer-address = le groupe de termes métier BG-8 « Adresse postale de l'acheteur » est absent
einvoice-missing-buyer-country = le terme métier BT-55 « Code de pays de l'acheteur » est absent
einvoice-missing-line-total = le terme métier BT-106 « Somme des montants nets des lignes de facture » est absent
einvoice-missing-total-without-vat = le terme métier BT-109 « Montant total de la facture hors TVA » est absent
einvoice-missing-total-with-vat = le terme métier BT-112 « Montant total de la facture TVA comprise » est absent
einvoice-missing-amount-due = le terme métier BT-115 « Montant à payer » est absent
einvoice-no-line = la facture ne comporte aucun groupe de termes métier BG-25 « Ligne de facture »
einvoice-line-no-net-amount = le terme métier BT-131 « Montant net de ligne de facture » est absent de la ligne { $line }
einvoice-line-inexact = pour la ligne { $line }, le produit quantité × prix ne peut pas être calculé exactement
einvoice-line-amount-mismatch = le montant net de la ligne { $line }, { $amount }, diffère de quantité { $quantity } × prix { $price } / quantité de base { $base } = { $expected }
einvoice-amounts-too-large = les montants sont trop élevés pour être additionnés exactement (plus de 28 chiffres significatifs)
einvoice-line-total-mismatch = la somme des montants nets des lignes de facture (BT-106) est de { $stated }, mais les lignes totalisent { $sum }
einvoice-total-without-vat-mismatch = le montant total hors TVA (BT-109) est de { $stated } ; somme des lignes − remises + charges = { $expected }
einvoice-total-with-vat-mismatch = le montant total TVA comprise (BT-112) est de { $stated } ; total hors TVA + TVA = { $expected }
einvoice-amount-due-mismatch = le montant à payer (BT-115) est de { $stated } ; total TVA comprise − montant payé + arrondi = { $expected }
einvoice-rule-not-checkable = la règle { $rule } ne peut pas être vérifiée exactement : les montants sont trop élevés

## Fichiers de consommation rapprochés des aides qu'ils débitent.

usage-no-file = choisissez un fichier de consommation (CSV FOCUS) à déposer
usage-file-too-large = le fichier fait { $size } octets ; la limite est de { $limit } octets
usage-no-sub-account = est vide ; elle doit contenir le code de l'aide (par exemple G-2026-0042)
usage-no-lines = le fichier comporte un en-tête mais aucune ligne de consommation
usage-already-posted = ce fichier a déjà été soumis : dépôt n° { $upload } du { $date }
usage-currency-mismatch = l'aide { $grant } est libellée en { $grant_currency }, cette ligne en { $currency }
usage-grant-not-active = l'aide { $grant } couvre la période du { $from } au { $until } ({ $status ->
        [active] active
        [expired] expirée
        [revoked] révoquée
       *[other] { $status }
    }) ; cette consommation commence le { $start }
usage-grant-total-inexact = à partir de cette ligne, le total de l'aide { $grant } ne peut plus être additionné exactement (plus de 28 chiffres significatifs)
usage-unknown-grant = aucune aide « { $code } » n'est facturable par votre organisation ; SubAccountId doit contenir l'un de vos codes d'aide
usage-unknown-grant-lines = aucune aide « { $code } » n'est facturable par votre organisation (lignes { $lines }) ; SubAccountId doit contenir l'un de vos codes d'aide
usage-unknown-grant-lines-more = aucune aide « { $code } » n'est facturable par votre organisation (lignes { $lines } et { $more } autres) ; SubAccountId doit contenir l'un de vos codes d'aide
usage-negative-total = le total des consommations imputées à { $grant } est négatif
usage-amounts-too-large = les montants sont trop élevés pour être additionnés exactement
usage-grant-insufficient = il reste { $available } { $currency } sur l'aide { $grant } ; ce fichier lui impute { $amount }
usage-value-too-long = dépasse { $max } caractères
usage-mixed-currency = est en { $currency }, alors que ce fichier facture en { $file_currency } : un fichier, une seule devise

## computegrants inspect FICHIER : libellés du rapport texte.

inspect-kind = type :
inspect-number = numéro :
inspect-currency = devise :
inspect-currency-mixed = (plusieurs ou aucune)
inspect-lines = lignes :
inspect-totals = totaux :
inspect-problems = anomalies :
inspect-problems-none = aucune
inspect-problem = { $location } : { $message }
inspect-more = …et { $count } autres
inspect-cannot-read = impossible de lire { $file } : { $reason }
inspect-cannot-open = impossible d'ouvrir { $file } : { $reason }
inspect-io-error = impossible de lire le fichier : { $reason }
inspect-kind-ubl-invoice = facture UBL
inspect-kind-ubl-credit-note = avoir UBL
inspect-kind-cii-invoice = facture CII
inspect-kind-focus = fichier de consommation FOCUS
facturx-not-pdf = Ce fichier n'est ni une facture XML ni un PDF.
facturx-no-invoice = Ce PDF ne contient pas de facture EN 16931 : envoyez le XML (UBL ou CII) ou un PDF Factur-X, pas un simple PDF.
facturx-zugferd-1 = C'est un PDF ZUGFeRD 1, dont la facture intégrée n'est pas au format EN 16931 : envoyez un PDF Factur-X / ZUGFeRD 2 ou le XML.
facturx-unreadable = La facture contenue dans ce PDF est illisible (endommagée, ou plus grande que permis).
usage-not-in-catalogue = « { $value } » ne figure pas dans votre catalogue au { $day } : ajoutez l'offre (ou son prix pour ce jour) à votre catalogue
usage-unit-off-catalogue = vaut « { $unit } », mais { $offering } est vendu à l'unité { $expected }
usage-price-off-catalogue = facture { $price } { $currency } par { $unit } ; { $offering } coûte { $catalogue } { $currency } dans votre catalogue, et ce programme admet { $tolerance } % au-dessus
usage-is-an-invoice = c'est une facture électronique (XML EN 16931), pas un fichier de consommation : soumettez d'abord la consommation (CSV FOCUS), puis envoyez la facture depuis la page de la consommation
usage-is-a-pdf = c'est un PDF, pas un fichier de consommation (CSV FOCUS) ; une facture (Factur-X) accompagne sa consommation, depuis la page de la consommation
usage-is-xml = c'est un document XML, pas un fichier de consommation : les fichiers de consommation sont au format CSV FOCUS
usage-empty-file = le fichier est vide
usage-file-over-limit = le fichier dépasse { $mb } Mo : découpez-le par période et envoyez chaque partie
usage-line-billed-before = { $resource } a déjà été facturé pour cette période et ce SKU (dépôt n° { $upload }, ligne { $line }) : n'envoyez que ce qui n'a pas encore été facturé
