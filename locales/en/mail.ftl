# Mails, in the recipient's language.
