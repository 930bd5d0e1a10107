## The JSON API: tokens, problems, documentation.

api-problem-unauthorized-title = Authentication required
api-problem-unauthorized = Send a valid API token as “Authorization: Bearer …”: this one is missing, unknown, expired or revoked.
api-problem-forbidden-title = Not allowed
api-problem-missing-scope = This token does not have the scope { $scope }.
api-problem-invalid-title = Request refused
api-problem-invalid = The request has problems: see the list.
api-problem-document-refused = The document was refused: every problem is listed with its place.
api-idempotency-key-invalid = The Idempotency-Key header must be 1 to 200 visible characters.
api-idempotency-key-reused = This Idempotency-Key was already used for a different request.
api-idempotency-key-in-progress = A request with this Idempotency-Key is still being processed; try again shortly.
api-query-invalid = The query string could not be read: check the parameters and their types.
api-method-not-allowed-title = Method not allowed
api-method-not-allowed = This path answers only { $allow }.
api-limit-invalid = The limit must be between 1 and { $max }.
api-body-invalid = The request body is not the JSON this operation expects.
api-amount-invalid = Give the amount awarded as a number, such as 40000.00.
api-money-invalid = Give an amount as a number with at most two decimals, such as 40000.00.
api-too-many-ids = List at most { $max } ids at once.
api-decision-invalid = The decision must be “approve” or “reject”.

api-token-name-invalid = Give the token a name of 1 to { $max } characters.
api-token-scopes-invalid = Choose at least one scope among those offered.
api-token-expiry-invalid = The expiry date must be today or later.

api-scope-usage-write = push usage files and follow their checks
api-scope-invoices-read = read invoices
api-scope-invoices-write = send invoices
api-scope-grants-read = read grants and their statements
api-scope-catalogue-read = read catalogues
api-scope-programmes-read = read programmes and their applications
api-scope-programmes-write = create programmes
api-scope-decisions-write = decide applications, approve or dispute invoices
api-scope-reports-read = read programme reports
api-scope-catalogue-write = replace its own catalogue
api-scope-applications-write = apply to programmes and follow its applications
api-scope-settlements-write = record payments of approved invoices

title-api-tokens = API tokens
title-api-docs = API documentation
api-docs-intro = The JSON API lets your own systems do what these pages do. Send a token as “Authorization: Bearer …”; errors are RFC 9457 problem documents in the language of Accept-Language; every POST honours an Idempotency-Key.
api-docs-tokens = Owners create tokens on
api-docs-operations = Operations
api-docs-operation = Operation
api-docs-scope = Scope
api-docs-request = Request body
api-docs-responses = Responses
api-docs-schemas = Schemas

api-tokens-intro = Tokens let your organisation's systems use the API. Each acts for the organisation with the scopes you choose, and what it changes is recorded under its name.
api-tokens-link = API tokens
api-tokens-list = Tokens
api-tokens-none = No token yet.
api-token-secret-once = Copy this secret now: it is shown only this once, and only its hash is kept.
api-token-scopes = Scopes
api-token-last-used = Last used
api-token-no-expiry = until revoked
api-token-never-used = never
api-token-revoked-on = revoked { $date }
api-token-revoke = Revoke
api-token-revoke-named = Revoke the token { $name }
api-token-expired = expired
api-token-new = New token
api-token-name = Name
api-token-name-hint = (for example “billing system”)
api-token-expires = Last day it works
api-token-expires-hint = (optional)
api-token-create = Create the token
flash-api-token-created = Token “{ $name }” created.
flash-api-token-revoked = Token revoked: it no longer works.
audit-action-api-token-created = API token created
audit-action-api-token-revoked = API token revoked

cli-unknown-org = no organisation is named “{ $org }”
cli-token-scopes = unknown scope: use some of { $scopes }
cli-token-expiry = “{ $date }” is not a date (YYYY-MM-DD)
cli-token-created = token “{ $name }” created for { $org }; its secret, shown once:
