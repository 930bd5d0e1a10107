# Background usage-file jobs: streaming, progress, resume.
title-usage-job = Usage file { $file }
flash-upload-queued = File received: it is being checked, this page shows how far it got.
audit-action-usage-queued = usage file queued for checking
usage-file-unreadable = the file cannot be read: { $reason }
usage-file-too-large-unpacked = once decompressed, the file is larger than { $limit } bytes: split it by period and send each part
usage-file-changed = the file changed while it was being read (near line { $lines }): nothing was stored, send it again
usage-job-problem-unreadable = a problem recorded for this file can no longer be read: send the file again
usage-job-interrupted = checking this file was interrupted { $detail } times (the server stopped): nothing was stored, send it again
usage-job-file-missing = the received file { $detail } is no longer on the server: nothing was stored, send it again
usage-job-requester-gone = the person who sent the file can no longer act for the provider: nothing was stored
usage-job-failed-other = checking this file failed ({ $detail }): nothing was stored
job-status = Status
job-status-queued = waiting to be checked
job-status-running = being checked
job-status-accepted = checked
job-status-refused = refused
job-status-failed = failed
job-phase-waiting = waiting for its turn
job-phase-checking = reading and checking every line
job-phase-storing = storing the lines
job-phase-holding = holding each grant's charge
job-phase-finished = finished
job-progress = { $lines ->
    [one] { $lines } line read
   *[other] { $lines } lines read
}, { $problems ->
    [0] no problem so far
    [one] { $problems } problem so far
   *[other] { $problems } problems so far
}
job-size = Size as received: { $mb } MB
job-refreshes = This page refreshes itself every few seconds; you may also leave it and come back from the usage list.
job-refresh-now = Refresh now
job-refused = { $count ->
    [one] { $count } problem: nothing was stored. Correct the file and send it again.
   *[other] { $count } problems: nothing was stored. Correct the file and send it again.
}
job-problems-download = Download every problem (CSV)
job-holds-refused = The file was checked and stored, but its charges could not be held:
job-open-upload = Open the checked upload
job-send-again = Send a file
jobs-title = Files checked in the background
col-job-file = File
col-job-received = Received
col-job-status = Status
col-job-lines = Lines
