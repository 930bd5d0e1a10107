# Avoirs et réglages de facturation.

## Réglage du programme : ce que couvrent les crédits
field-credits-cover = Les crédits couvrent
hint-credits-cover = (ce à quoi le montant d'une facture par aide est comparé avec l'usage bloqué : hors taxes ou TVA comprise ; par défaut hors taxes)
col-credits-cover = Les crédits couvrent
credits-cover-net = les montants hors taxes
credits-cover-gross = les montants TVA comprise
programme-credits-cover-invalid = Choisissez les montants hors taxes ou TVA comprise.

## Rapprochement des factures
invoice-is-credit-note = C'est un avoir : envoyez-le depuis la page de la facture qu'il crédite.
invoice-grant-gross-mismatch = Aide { $grant } : la facture porte { $invoiced } TTC mais { $held } est bloqué pour elle (les crédits de ce programme couvrent les montants TVA comprise).
invoice-grant-no-vat-rate = Aide { $grant } : une ligne n'a pas de taux de TVA (BT-152), son montant TVA comprise ne peut être calculé.

## Boîte de réception des factures
filter-all-programmes = Tous les programmes
filter-all-statuses = Tous les statuts
col-amount-to-pay = À payer
settlement-invoice-credited = Un avoir est arrivé entre-temps pour l'une de ces factures : vérifiez les montants et enregistrez de nouveau le paiement.

## Avoirs
credit-notes-title = Avoirs
col-credit-note-number = Avoir
credit-note-status-posted = recrédité sur les aides
credit-note-status-recorded = enregistré (facture contestée)
credit-note-send = Envoyer un avoir
credit-note-intro-approved = Un avoir (CreditNote UBL, ou CII ou Factur-X de type 381) qui référence cette facture rend son montant aux aides et réduit ce que le financeur paie.
credit-note-intro-disputed = Cette facture est contestée : un avoir qui la référence est enregistré comme votre réponse, pour le financeur ; plus rien n'est bloqué, les crédits ne bougent donc pas.
field-credit-note-file = Fichier de l'avoir (XML ou PDF Factur-X)
credit-note-refused-title = L'avoir n'a pas été accepté
flash-credit-note-received = Avoir reçu.
audit-action-credit-note-received = avoir reçu
entry-credit-note = avoir
credit-note = avoir
statement-credit-note = Avoir du fournisseur

credit-note-not-a-credit-note = Ce document n'est pas un avoir (type { $type }) : envoyez un CreditNote UBL, ou un document CII de type 381.
credit-note-no-preceding-invoice = L'avoir ne désigne aucune facture antérieure (BT-25) : référencez la facture { $invoice }.
credit-note-unknown-invoice = L'avoir référence la facture { $number }, qui n'est pas l'une de vos factures ; cette page est la facture { $invoice }.
credit-note-other-invoice = L'avoir référence votre facture { $number }, pas la facture { $invoice } : envoyez-le depuis la page de cette facture.
credit-note-invoice-settled = La facture { $invoice } est déjà payée : un avoir ne peut réduire un paiement effectué ; réglez-le directement avec le financeur.
credit-note-invoice-not-decided = La facture { $invoice } n'est ni approuvée ni contestée : un avoir répond à une facture décidée.
credit-note-number-taken = Vous avez déjà envoyé un avoir ou une facture numéroté { $number } : un numéro ne sert qu'une fois.
credit-note-currency-mismatch = L'avoir est en { $note } mais la facture est en { $invoice }.
credit-note-buyer-not-funder = L'acheteur est « { $buyer } », mais la facture était adressée à { $funder } : l'avoir est adressé au même financeur.
credit-note-line-no-grant = La ligne { $line } ne désigne pas d'aide de la facture { $invoice } (trouvé « { $reference } »).
credit-note-amount-invalid = Aide { $grant } : le crédit de { $amount } n'est pas un montant positif en centimes.
credit-note-over-credit = Aide { $grant } : l'avoir crédite { $credited } mais il ne reste que { $left } à créditer sur la facture { $invoice }.
credit-note-invoice-changed = La facture { $invoice } a changé pendant la vérification de l'avoir : envoyez-le de nouveau.
invoice-part-unknown-grant = La subvention { $grant } n'est pas facturée par cette facture.
