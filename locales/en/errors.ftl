# Refusals: form fields, conflicts, error pages.

amount-empty = Enter an amount, such as { $example }.
amount-not-a-number = “{ $text }” is not an amount; write it like { $example }.
amount-wrong-decimal-mark = “{ $text }” is ambiguous here: on English pages write amounts with a decimal point, like { $example }.
amount-bad-grouping = “{ $text }” has digit groups that are not groups of three; write it like { $example }.
amount-too-precise = “{ $text }” has more than two decimal places; round it to the cent.
amount-too-large = “{ $text }” is too large.
amount-example = 1,250.50
