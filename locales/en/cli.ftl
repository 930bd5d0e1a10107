# The command line, in the language of LC_ALL / LC_MESSAGES / LANG.

cli-error = error: { $message }
cli-unknown-role = unknown role “{ $role }”: use admin, funder, provider or startup
cli-no-password = no password given
cli-user-created = created { $email } in { $org } ({ $kind })
cli-backup-postgres = backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)
cli-backup-exists = { $path } exists already; choose a new file
cli-backup-written = backup written to { $path } ({ $size } bytes) in { $elapsed }
cli-export-written = { $count } transactions written to { $path }
cli-migrations-applied = { $count } migration(s) applied
cli-running = ComputeGrants is running at { $url }  (database: { $database })
cli-demo-logins = Demo logins (password for every account: { $password }):
cli-verify-ok = ledger OK: { $entries } entries, { $postings } postings, { $accounts } accounts checked in { $elapsed }
cli-verify-failed = ledger verification FAILED: { $problem }
cli-no-such-provider = no provider organisation is named “{ $name }”
cli-usage-refused = { $file } was not accepted: { $count } problem(s); nothing was stored
cli-usage-accepted = upload #{ $upload }: { $lines } line(s), { $status }
cli-demo-scale-exists = this database already holds the scale dataset: use a fresh database
cli-demo-scale-progress = { $phase }: { $done } of { $total }
cli-demo-scale-done = built { $programmes } programmes, { $grants } grants, { $uploads } usage files and { $invoices } invoices: { $entries } ledger entries, { $postings } postings, in { $seconds } s. The long statement is grant { $heavy }; sign in as { $login } (password of the demo).
