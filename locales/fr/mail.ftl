# Courriels, dans la langue du destinataire.
