# Grant expiry, clawback, extension and revocation.

field-unused-credit = Unused credit
hint-unused-credit = (where a grant's unused credit goes when it expires or is revoked)
unused-credit-budget_while_open = back to the programme's budget while it is open, else lapsed
unused-credit-expired = always lapsed (the programme's expired account)
programme-unused-credit-invalid = Choose where unused credit goes.

grant-status-active = active
grant-status-expired = expired
grant-status-revoked = revoked

grant-changes-title = Changes to this grant
col-grant-change = Change
col-grant-change-by = By
col-clawed-back = Clawed back
grant-change-by-system = ComputeGrants (end of validity)
grant-change-extended = extended
grant-change-revoked = revoked
grant-change-expired = expired at the end of its validity
grant-change-extended-to = extended to { $until }

grant-extend-title = Extend this grant
field-grant-valid-until = New end of validity
hint-grant-valid-until = (a later day than the current one)
field-grant-extend-reason = Reason for the extension
hint-grant-reason = (the startup reads it on its grant page)
grant-extend = Extend the grant

grant-revoke-title = Revoke this grant
grant-revoke-intro = A revoked grant accepts no more usage and its unused credit is clawed back at once. Usage already submitted still waits for your decision on its invoice. You will be asked to confirm.
field-grant-revoke-reason = Reason for the revocation
grant-revoke-next = Continue to revoke…
title-grant-revoke = Revoke grant { $code }?
grant-revoke-warning = Revoking cannot be undone. The grant will accept no more usage and { $amount } of unused credit will be clawed back now.
grant-revoke-confirm = Yes, revoke the grant
grant-revoke-cancel = No, keep the grant

flash-grant-extended = Grant extended.
flash-grant-revoked = Grant revoked; its unused credit was clawed back.

grant-reason-missing = Give a reason: the startup reads it.
grant-extend-not-later = Choose a day after { $until }, the current end of validity.
grant-not-active = Grant { $grant } is { $status ->
        [expired] expired
        [revoked] revoked
       *[other] { $status }
    } already: it can no longer be changed.
grant-changed-meanwhile = Grant { $grant } was changed by someone else meanwhile; look at it again.

audit-action-grant-extended = grant extended
audit-action-grant-revoked = grant revoked
audit-action-grant-expired = grant expired

cli-grants-bad-date = “{ $text }” is not a date: use YYYY-MM-DD
cli-grant-expired = expired { $grant }: { $amount } clawed back to { $destination ->
        [budget] the programme's budget
       *[expired] the programme's expired account
    }
cli-grant-swept = { $grant } had ended: { $amount } that came back to it clawed back to { $destination ->
        [budget] the programme's budget
       *[expired] the programme's expired account
    }
cli-grant-expiry-failed = { $grant } could not be expired (tried again next run): { $problem }
cli-grants-expired = { $count ->
        [one] 1 grant expired
       *[other] { $count } grants expired
    } and { $swept } swept as of { $as_of }

upload-grant-ended = Grant { $grant } has { $status ->
        [revoked] been revoked
       *[other] expired
    } since this file was checked: it takes no more usage, and nothing was submitted.
