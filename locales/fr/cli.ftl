# La ligne de commande, dans la langue de LC_ALL / LC_MESSAGES / LANG.

cli-error = erreur : { $message }
cli-unknown-role = rôle inconnu « { $role } » : utilisez admin, funder, provider ou startup
cli-no-password = aucun mot de passe fourni
cli-user-created = { $email } créé dans { $org } ({ $kind })
cli-backup-postgres = la sauvegarde copie les bases SQLite ; pour PostgreSQL, utilisez pg_dump (voir le README)
cli-backup-exists = { $path } existe déjà ; choisissez un nouveau fichier
cli-backup-written = sauvegarde écrite dans { $path } ({ $size } octets) en { $elapsed }
cli-export-written = { $count } écritures exportées dans { $path }
cli-migrations-applied = { $count } migration(s) appliquée(s)
cli-running = ComputeGrants est disponible à l'adresse { $url }  (base de données : { $database })
cli-demo-logins = Comptes de démonstration (mot de passe de chaque compte : { $password }) :
cli-verify-ok = grand livre vérifié : { $entries } écritures, { $postings } mouvements, { $accounts } comptes contrôlés en { $elapsed }
cli-verify-failed = ÉCHEC de la vérification du grand livre : { $problem }
cli-no-such-provider = aucune organisation fournisseur ne s'appelle « { $name } »
cli-usage-refused = { $file } n'a pas été accepté : { $count } problème(s) ; rien n'a été enregistré
cli-usage-accepted = dépôt n° { $upload } : { $lines } ligne(s), { $status }
cli-demo-scale-exists = cette base contient déjà le jeu de données à l'échelle : utilisez une base neuve
cli-demo-scale-progress = { $phase } : { $done } sur { $total }
cli-demo-scale-done = { $programmes } programmes, { $grants } subventions, { $uploads } fichiers de consommation et { $invoices } factures créés : { $entries } écritures, { $postings } mouvements, en { $seconds } s. Le long relevé est celui de la subvention { $heavy } ; connectez-vous comme { $login } (mot de passe de la démo).
