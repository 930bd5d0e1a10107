# Background usage-file jobs: streaming, progress, resume.
title-usage-job = Relevé d'usage { $file }
flash-upload-queued = Fichier reçu : il est en cours de vérification, cette page montre où elle en est.
audit-action-usage-queued = relevé d'usage mis en file de vérification
usage-file-unreadable = le fichier ne peut pas être lu : { $reason }
usage-file-too-large-unpacked = une fois décompressé, le fichier dépasse { $limit } octets : découpez-le par période et envoyez chaque partie
usage-file-changed = le fichier a changé pendant sa lecture (vers la ligne { $lines }) : rien n'a été enregistré, envoyez-le de nouveau
usage-job-problem-unreadable = un problème relevé pour ce fichier ne peut plus être lu : envoyez le fichier de nouveau
usage-job-interrupted = la vérification de ce fichier a été interrompue { $detail } fois (arrêt du serveur) : rien n'a été enregistré, envoyez-le de nouveau
usage-job-file-missing = le fichier reçu { $detail } n'est plus sur le serveur : rien n'a été enregistré, envoyez-le de nouveau
usage-job-requester-gone = la personne qui a envoyé le fichier ne peut plus agir pour le fournisseur : rien n'a été enregistré
usage-job-failed-other = la vérification de ce fichier a échoué ({ $detail }) : rien n'a été enregistré
job-status = État
job-status-queued = en attente de vérification
job-status-running = en cours de vérification
job-status-accepted = vérifié
job-status-refused = refusé
job-status-failed = en échec
job-phase-waiting = attend son tour
job-phase-checking = lecture et contrôle de chaque ligne
job-phase-storing = enregistrement des lignes
job-phase-holding = réservation du montant de chaque subvention
job-phase-finished = terminé
job-progress = { $lines ->
    [one] { $lines } ligne lue
   *[other] { $lines } lignes lues
}, { $problems ->
    [0] aucun problème pour l'instant
    [one] { $problems } problème pour l'instant
   *[other] { $problems } problèmes pour l'instant
}
job-size = Taille reçue : { $mb } Mo
job-refreshes = Cette page se met à jour toute seule toutes les quelques secondes ; vous pouvez aussi la quitter et y revenir depuis la liste des relevés.
job-refresh-now = Mettre à jour
job-refused = { $count ->
    [one] { $count } problème : rien n'a été enregistré. Corrigez le fichier et envoyez-le de nouveau.
   *[other] { $count } problèmes : rien n'a été enregistré. Corrigez le fichier et envoyez-le de nouveau.
}
job-problems-download = Télécharger tous les problèmes (CSV)
job-holds-refused = Le fichier a été vérifié et enregistré, mais ses montants n'ont pas pu être réservés :
job-open-upload = Ouvrir le relevé vérifié
job-send-again = Envoyer un fichier
jobs-title = Fichiers vérifiés en arrière-plan
col-job-file = Fichier
col-job-received = Reçu le
col-job-status = État
col-job-lines = Lignes
