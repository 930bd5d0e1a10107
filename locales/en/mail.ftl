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
