# Refus : champs de formulaire, conflits, pages d'erreur.

amount-empty = Saisissez un montant, par exemple { $example }.
amount-not-a-number = « { $text } » n'est pas un montant ; écrivez-le sous la forme { $example }.
amount-wrong-decimal-mark = « { $text } » est ambigu : en français, séparez les centimes par une virgule, par exemple { $example }.
amount-bad-grouping = « { $text } » comporte des groupes de chiffres qui ne sont pas des groupes de trois ; écrivez-le sous la forme { $example }.
amount-too-precise = « { $text } » comporte plus de deux décimales ; arrondissez au centime.
amount-too-large = « { $text } » est trop élevé.
amount-example = 1 250,50
