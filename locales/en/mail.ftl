# Mails, in the recipient's language.

mail-greeting = Hello
mail-signature = ComputeGrants
mail-received-subject = Application { $reference } received
mail-received-body = We received { $company }'s application { $reference } to “{ $programme }” for { $amount }.
mail-received-next = The funder will review it; you will get an email when it is decided.
mail-decision-subject = Decision on application { $reference }
mail-approved-body = Good news: application { $reference } to “{ $programme }” was approved for { $amount }.
mail-approved-code = Your grant code is { $code }. Give it to { $provider } so that they bill your usage against it.
mail-rejected-body = Application { $reference } to “{ $programme }” was not approved.
mail-rejected-reason = The funder's reason: { $reason }
mail-verify-subject = Confirm your address to finish registering
mail-verify-body = You registered { $company } on ComputeGrants. Open the link below to confirm this address and sign in.
mail-verify-expiry = The link works once, within { $hours } hours. If you did not register, ignore this mail: nothing will be created in your name.
mail-taken-subject = Someone tried to register with your address
mail-taken-body = Someone just tried to register a startup on ComputeGrants with this address, which already has an account. If it was you, sign in with the link below.
mail-taken-ignore = If it was not you, you need do nothing: no account was created and yours is unchanged.
mail-reset-subject = Choose a new password
mail-reset-body = Someone (we hope you) asked to choose a new password for your ComputeGrants account. Open the link below within an hour; it works once.
mail-reset-ignore = If you did not ask, ignore this mail: your password stays as it is.
mail-invitation-subject = You are invited to join { $organisation } on ComputeGrants
mail-invitation-body = { $inviter } invites you to join { $organisation } on ComputeGrants as { $role }. Open the link below to choose your name and password.
mail-invitation-expiry = The link works once, within { $days } days. If you did not expect it, ignore this mail.
