# Notifications (domain::alerts): the list, the mail choices, and the alerts themselves.
nav-notifications = Notifications
title-notifications = Notifications
notifications-unread = { $count ->
    [0] No unread notification.
    [one] One unread notification.
   *[other] { $count } unread notifications.
}
notifications-none = Nothing to tell you yet: notifications about your applications, grants and work awaiting you will appear here.
notifications-new = New:
notifications-mark-read = Mark all as read
notifications-mail-title = Which notifications come by mail
notifications-mail-legend = Mail me when:
notifications-mail-save = Save my choices
flash-notifications-read = All notifications are marked as read.
flash-notifications-saved = Your mail choices are saved.
alert-kind-application-received = my application is received
alert-kind-decision = a decision is made on my application
alert-kind-credits-used = a grant has used 50, 80 and 100 % of its credit
alert-kind-expiry-soon = a grant ends in 30 days, then in 7 days
alert-kind-funder-digest = applications or invoices await us (one digest a day)
alert-subject-application-received = Your application was received
alert-subject-decision = A decision on your application
alert-subject-credits-used = Your grant's credit is being used up
alert-subject-expiry-soon = Your grant ends soon
alert-subject-funder-digest = Work awaiting you today
alert-received = Application { $reference } to { $programme } was received.
alert-approved = Application { $reference } was approved: { $amount } of credits.
alert-rejected = Application { $reference } was not approved.
alert-credits-used = Grant { $code } has used { $percent } % of its credit: { $used } of { $awarded }.
alert-expiry-soon = Grant { $code } ends { $days ->
    [0] today
    [one] tomorrow
   *[other] in { $days } days
}, on { $date }: credit not used by then will no longer be available.
alert-funder-digest = Awaiting you: { $applications ->
    [0] no application to decide
    [one] one application to decide
   *[other] { $applications } applications to decide
} and { $invoices ->
    [0] no invoice to approve
    [one] one invoice to approve
   *[other] { $invoices } invoices to approve
}.
alert-unreadable = A notification that can no longer be shown.
alert-mail-choices = Choose which notifications come by mail:

# The funder's inbox of applications (domain::inbox).
nav-inbox = Inbox
title-inbox = Applications across your programmes
inbox-filters = Filter the applications
inbox-any-status = Any status
inbox-any-programme = All programmes
inbox-search = Company or reference
inbox-search-hint = Part of the company's name, or a reference such as APP-17.
inbox-apply = Show
inbox-count = { $count ->
    [0] No application matches.
    [one] One application matches.
   *[other] { $count } applications match.
}

# A grant extended, revoked or ended (domain::grant_expiry).
alert-kind-grant-changed = a grant of ours is extended, revoked or ends
alert-subject-grant-changed = A change to your grant
alert-grant-extended = Grant { $code } now ends on { $date }. The funder's reason: { $reason }
alert-grant-revoked = Grant { $code } was revoked; { $amount } of unused credit went back to the funder. The funder's reason: { $reason }
alert-grant-expired = Grant { $code } ended on { $date }; { $amount } of unused credit went back to the funder.
