# Courriels, dans la langue du destinataire.

mail-greeting = Bonjour
mail-signature = ComputeGrants
mail-received-subject = Candidature { $reference } reçue
mail-received-body = Nous avons bien reçu la candidature { $reference } de { $company } à « { $programme } », pour un montant de { $amount }.
mail-received-next = Le financeur va l'examiner ; vous recevrez un courriel dès qu'une décision sera prise.
mail-decision-subject = Décision sur la candidature { $reference }
mail-approved-body = Bonne nouvelle : la candidature { $reference } à « { $programme } » est retenue pour un montant de { $amount }.
mail-approved-code = Le code de votre aide est { $code }. Communiquez-le à { $provider } afin que votre usage soit facturé sur cette aide.
mail-rejected-body = La candidature { $reference } à « { $programme } » n'a pas été retenue.
mail-rejected-reason = Motif indiqué par le financeur : { $reason }
