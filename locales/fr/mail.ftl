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
mail-verify-subject = Confirmez votre adresse pour terminer votre inscription
mail-verify-body = Vous avez inscrit { $company } sur ComputeGrants. Ouvrez le lien ci-dessous pour confirmer cette adresse et vous connecter.
mail-verify-expiry = Le lien ne fonctionne qu'une fois, pendant { $hours } heures. Si vous ne vous êtes pas inscrit, ignorez ce courriel : rien ne sera créé à votre nom.
mail-taken-subject = Quelqu'un a tenté de s'inscrire avec votre adresse
mail-taken-body = Quelqu'un vient de tenter d'inscrire une start-up sur ComputeGrants avec cette adresse, qui a déjà un compte. Si c'était vous, connectez-vous avec le lien ci-dessous.
mail-taken-ignore = Si ce n'était pas vous, vous n'avez rien à faire : aucun compte n'a été créé et le vôtre est inchangé.
mail-reset-subject = Choisissez un nouveau mot de passe
mail-reset-body = Quelqu'un (vous, nous l'espérons) a demandé à choisir un nouveau mot de passe pour votre compte ComputeGrants. Ouvrez le lien ci-dessous dans l'heure ; il ne fonctionne qu'une fois.
mail-reset-ignore = Si vous n'avez rien demandé, ignorez ce courriel : votre mot de passe reste inchangé.
mail-invitation-subject = Invitation à rejoindre { $organisation } sur ComputeGrants
mail-invitation-body = { $inviter } vous invite à rejoindre { $organisation } sur ComputeGrants en tant que { $role }. Ouvrez le lien ci-dessous pour choisir votre nom et votre mot de passe.
mail-invitation-expiry = Le lien fonctionne une fois, pendant { $days } jours. Si vous ne l’attendiez pas, ignorez ce message.
