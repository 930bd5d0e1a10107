## L'API JSON : jetons, problèmes, documentation.

api-problem-unauthorized-title = Authentification requise
api-problem-unauthorized = Envoyez un jeton d'API valide dans « Authorization: Bearer … » : celui-ci manque, est inconnu, expiré ou révoqué.
api-problem-forbidden-title = Non autorisé
api-problem-missing-scope = Ce jeton n'a pas la portée { $scope }.
api-problem-invalid-title = Requête refusée
api-problem-invalid = La requête comporte des problèmes : voir la liste.
api-problem-document-refused = Le document est refusé : chaque problème est listé avec son emplacement.
api-idempotency-key-invalid = L'en-tête Idempotency-Key doit compter de 1 à 200 caractères visibles.
api-idempotency-key-reused = Cette Idempotency-Key a déjà servi pour une autre requête.
api-idempotency-key-in-progress = Une requête portant cette Idempotency-Key est encore en cours de traitement ; réessayez dans un instant.
api-query-invalid = Les paramètres de la requête sont illisibles : vérifiez leurs noms et leurs types.
api-method-not-allowed-title = Méthode non autorisée
api-method-not-allowed = Ce chemin ne répond qu'à { $allow }.
api-limit-invalid = La limite doit être comprise entre 1 et { $max }.
api-body-invalid = Le corps de la requête n'est pas le JSON attendu par cette opération.
api-amount-invalid = Donnez le montant accordé en nombre, par exemple 40000.00.
api-money-invalid = Donnez un montant en chiffres, avec au plus deux décimales, par exemple 40000.00.
api-too-many-ids = Indiquez au plus { $max } identifiants à la fois.
api-decision-invalid = La décision doit être « approve » ou « reject ».

api-token-name-invalid = Donnez au jeton un nom de 1 à { $max } caractères.
api-token-scopes-invalid = Choisissez au moins une portée parmi celles proposées.
api-token-expiry-invalid = La date d'expiration doit être aujourd'hui ou plus tard.

api-scope-usage-write = envoyer des fichiers de consommation et suivre leur contrôle
api-scope-invoices-read = lire les factures
api-scope-invoices-write = envoyer des factures
api-scope-grants-read = lire les subventions et leurs relevés
api-scope-catalogue-read = lire les catalogues
api-scope-programmes-read = lire les programmes et leurs candidatures
api-scope-programmes-write = créer des programmes
api-scope-decisions-write = décider des candidatures, approuver ou contester des factures
api-scope-reports-read = lire les rapports de programme
api-scope-catalogue-write = remplacer son propre catalogue
api-scope-applications-write = candidater aux programmes et suivre ses candidatures
api-scope-settlements-write = enregistrer le paiement de factures approuvées

title-api-tokens = Jetons d'API
title-api-docs = Documentation de l'API
api-docs-intro = L'API JSON permet à vos propres systèmes de faire ce que font ces pages. Envoyez un jeton dans « Authorization: Bearer … » ; les erreurs sont des documents de problème RFC 9457 dans la langue d'Accept-Language ; chaque POST respecte une Idempotency-Key.
api-docs-tokens = Les propriétaires créent les jetons sur
api-docs-operations = Opérations
api-docs-operation = Opération
api-docs-scope = Portée
api-docs-request = Corps de la requête
api-docs-responses = Réponses
api-docs-schemas = Schémas

api-tokens-intro = Les jetons permettent aux systèmes de votre organisation d'utiliser l'API. Chacun agit pour l'organisation avec les portées choisies, et ce qu'il modifie est enregistré sous son nom.
api-tokens-link = Jetons d'API
api-tokens-list = Jetons
api-tokens-none = Aucun jeton pour l'instant.
api-token-secret-once = Copiez ce secret maintenant : il n'est affiché qu'une fois, et seule son empreinte est conservée.
api-token-scopes = Portées
api-token-last-used = Dernière utilisation
api-token-no-expiry = jusqu'à révocation
api-token-never-used = jamais
api-token-revoked-on = révoqué le { $date }
api-token-revoke = Révoquer
api-token-revoke-named = Révoquer le jeton { $name }
api-token-expired = expiré
api-token-new = Nouveau jeton
api-token-name = Nom
api-token-name-hint = (par exemple « système de facturation »)
api-token-expires = Dernier jour de validité
api-token-expires-hint = (facultatif)
api-token-create = Créer le jeton
flash-api-token-created = Jeton « { $name } » créé.
flash-api-token-revoked = Jeton révoqué : il ne fonctionne plus.
audit-action-api-token-created = jeton d'API créé
audit-action-api-token-revoked = jeton d'API révoqué

cli-unknown-org = aucune organisation ne s'appelle « { $org } »
cli-token-scopes = portée inconnue : utilisez certaines de { $scopes }
cli-token-expiry = « { $date } » n'est pas une date (AAAA-MM-JJ)
cli-token-created = jeton « { $name } » créé pour { $org } ; son secret, affiché une seule fois :
