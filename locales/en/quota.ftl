# The reserved quota for small structures (domain::quota).
quota-field-share = Share reserved for micro and small enterprises (%)
quota-hint-share = Part of the budget only micro and small enterprises draw on; medium-sized and larger ones draw only on the rest. 0 or empty: no quota. Fixed once the programme opens.
quota-share-invalid = Give a percentage from 0 to 100, with at most two decimals.
quota-col-share = Reserved for micro and small enterprises
quota-share-value = { $percent } % of the budget
quota-none = No reserved quota
quota-title = Reserved quota for small structures
quota-col-pot = Pot
quota-col-total = Total
quota-col-drawn = Drawn
quota-col-left = Left
quota-pot-reserved = Reserved for micro and small enterprises
quota-pot-rest = Rest of the budget
quota-rule = Offers to micro and small enterprises draw on the reserved pot first, then on the rest; offers to any other enterprise (medium-sized, large, or category not declared) draw only on the rest. Open offers and accepted awards count; a declined or lapsed offer returns its amount to its pot.
quota-over-rest = This enterprise is not micro or small: it draws only on the rest of the budget, outside the reserved quota, which still allows { $left }.
quota-over-both-pots = The reserved quota and the rest of the budget together still allow { $left }.
quota-draws-reserve = Reserved quota: this micro or small enterprise draws on the reserved pot first ({ $reserved } left), then on the rest ({ $rest } left).
quota-draws-rest = Reserved quota: this enterprise ({ $category ->
        [medium] medium-sized
        [large] large
       *[other] category not declared
    }) draws only on the rest of the budget: { $left } left.
