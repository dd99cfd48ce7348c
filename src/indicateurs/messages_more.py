"""Messages of the checker for stated statuses, values per year, reference values, measures,
durations, calendars, baselines and shares of units (codes C201 onwards), French first.

`messages.py` merges this table into its own; the keys follow its conventions (`fr`, `en`,
`fix_fr`, `fix_en`, and `fix0_…` when a `{guess}` may be empty).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "C201": {
        "fr": "« {year} » n'est pas une année",
        "en": "'{year}' is not a year",
        "fix_fr": "écrivez l'année en quatre chiffres, suivie de « : » et de la valeur : « [2022: 6,5] »",
        "fix_en": "write the year in four digits, then ':' and the value: '[2022: 6.5]'",
    },
    "C202": {
        "fr": "ligne de statut sans indicateur",
        "en": "status line without an indicator",
        "fix_fr": "placez « cible à définir » ou « jalon … » sous la ligne « indicateur » qu'elle décrit",
        "fix_en": "put 'target to be defined' or 'milestone …' under the 'indicator' line it describes",
    },
    "C203": {
        "fr": "l'indicateur « {name} » a déjà une ligne de statut (ligne {first})",
        "en": "indicator '{name}' already has a status line (line {first})",
        "fix_fr": "gardez une seule ligne « cible à définir » ou « jalon … » par indicateur",
        "fix_en": "keep one 'target to be defined' or 'milestone …' line per indicator",
    },
    "C204": {
        "fr": "l'indicateur « {name} » a une expression et un statut déclaré (ligne {first}) : l'un exclut l'autre",
        "en": "indicator '{name}' has an expression and a stated status (line {first}): they exclude each other",
        "fix_fr": "gardez l'expression (l'indicateur est alors mesuré) ou le statut (« cible à définir », « jalon … »), pas les deux ; pour suivre une valeur en attendant la cible, écrivez « suivi … »",
        "fix_en": "keep the expression (the indicator is then measured) or the status ('target to be defined', 'milestone …'), not both; to follow a value until the target is set, write 'monitor …'",
    },
    "C205": {
        "fr": "« le {date} » est la date de réalisation : seul un jalon « réalisé » en a une",
        "en": "'on {date}' is the day a milestone was achieved: only a 'done' milestone has one",
        "fix_fr": "pour une échéance, écrivez « avant le {date} » ; pour un jalon atteint, écrivez « jalon réalisé le {date} »",
        "fix_en": "for a due date, write 'by {date}'; for an achieved milestone, write 'milestone done on {date}'",
    },
    "C206": {
        "fr": "l'indicateur « {name} » est un jalon : son statut est déclaré, il ne peut pas entrer dans une expression",
        "en": "indicator '{name}' is a milestone: its status is stated and cannot be used in an expression",
        "fix_fr": "mesurez le jalon par un événement (« existe(plan_adopte) avant le 30/06/2024 ») pour le combiner à d'autres indicateurs",
        "fix_en": "measure the milestone with an event ('exists(plan_adopted) by 2024-06-30') to combine it with other indicators",
    },
    "C207": {
        "fr": "une valeur par année ne dit pas laquelle prendre sur une période de plusieurs années ({years})",
        "en": "a value per year does not say which one applies to a period of several years ({years})",
        "fix_fr": "ajoutez « par an » (ou une période plus courte) après la cible",
        "fix_en": "add 'per year' (or a shorter period) after the target",
    },
    "C209": {
        "fr": "« {name} » est à la fois une valeur de référence et un indicateur",
        "en": "'{name}' is both a reference value and an indicator",
        "fix_fr": "renommez l'un des deux, par exemple « {name}_ref » pour la valeur",
        "fix_en": "rename one of them, for example '{name}_ref' for the value",
    },
    "C210": {
        "fr": "la valeur de référence « {name} » est déjà déclarée (ligne {first})",
        "en": "reference value '{name}' is already declared (line {first})",
        "fix_fr": "gardez une seule déclaration, avec une valeur par année si elle change : « [2019: 95 000 · 2023: 97 500] »",
        "fix_en": "keep one declaration, with a value per year if it changes: '[2019: 95000 · 2023: 97500]'",
    },
    "C211": {
        "fr": "table « {table} » introuvable ({path})",
        "en": "table '{table}' not found ({path})",
        "fix_fr": "placez le fichier CSV à côté du plan, ou écrivez son chemin depuis le dossier du plan",
        "fix_en": "put the CSV file next to the plan, or write its path from the plan's folder",
    },
    "C212": {
        "fr": "la table « {table} » n'a pas de colonne année et « {name} » (colonnes : {columns})",
        "en": "table '{table}' has no year column and '{name}' column (columns: {columns})",
        "fix_fr": "nommez les colonnes « année » et « {name} », une ligne par année",
        "fix_en": "name the columns 'year' and '{name}', one row per year",
    },
    "C213": {
        "fr": "table « {table} », ligne {row} : « {value} » n'est pas un nombre ou une année",
        "en": "table '{table}', row {row}: '{value}' is not a number or a year",
        "fix_fr": "écrivez l'année en chiffres et la valeur comme un nombre : « 2023;97 500 »",
        "fix_en": "write the year in digits and the value as a number: '2023;97500'",
    },
    "C214": {
        "fr": "« {name} » n'est pas une date de l'événement : la durée « {field} » se compte entre deux de ses dates",
        "en": "'{name}' is not a date of the event: duration '{field}' is counted between two of its dates",
        "fix_fr": "vouliez-vous dire « {guess} » ? (dates de l'événement : {dates}, « date », « fin »)",
        "fix_en": "did you mean '{guess}'? (dates of the event: {dates}, 'date', 'fin')",
        "fix0_fr": "une durée va d'un champ « date » de l'événement à un autre (ou de « date » à « fin ») : {dates}",
        "fix0_en": "a duration goes from one 'date' field of the event to another (or from 'date' to 'fin'): {dates}",
    },
    "C215": {
        "fr": "« {number} » ne se compare pas à « {field} », compté en {day_unit}",
        "en": "'{number}' cannot be compared with '{field}', counted in {day_unit}",
        "fix_fr": "écrivez la durée en {day_unit}, ou changez l'unité du champ (« durée … en jours ouvrables »)",
        "fix_en": "write the duration in {day_unit}, or change the field's unit ('duration … in working days')",
    },
    "C216": {
        "fr": "« {number} » est une durée : elle se compare à un champ « durée » (ici « {field} »)",
        "en": "'{number}' is a duration: it compares with a 'duration' field (here '{field}')",
        "fix_fr": "déclarez le champ comme une durée (« délai : durée de reçu à clôturé ») ou écrivez le nombre sans unité",
        "fix_en": "declare the field as a duration ('delay : duration from received to closed') or write the number without a unit",
    },
    "C217": {
        "fr": "« par exercice » (indicateur « {name} ») sans ligne « exercice » : l'exercice est l'année civile",
        "en": "'per fiscal year' (indicator '{name}') without a 'fiscal year' line: fiscal years are calendar years",
        "fix_fr": "dites dans l'en-tête le mois où l'exercice commence, par exemple « exercice avril »",
        "fix_en": "say in the header the month fiscal years start in, for example 'fiscal year april'",
    },
    "C218": {
        "fr": "« {amount} » : une évolution se donne en pourcentage",
        "en": "'{amount}': a change is given as a percentage",
        "fix_fr": "écrivez « {amount} % » (« en baisse de 10 % », « stable à ± 5 % »)",
        "fix_en": "write '{amount} %' ('down 10 %', 'stable within ± 5 %')",
    },
    "C219": {
        "fr": "moyenne de {first} à {last} : la première année vient après la dernière",
        "en": "average from {first} to {last}: the first year comes after the last",
        "fix_fr": "écrivez les années dans l'ordre : « la moyenne {last}-{first} »",
        "fix_en": "write the years in order: 'average {last}-{first}'",
    },
    "C220": {
        "fr": "une année de référence calculée sur les données se compare année par année (indicateur « {name} »)",
        "en": "a baseline year computed from the data compares year by year (indicator '{name}')",
        "fix_fr": "ajoutez « par an » après l'expression, ou déclarez la valeur de référence : « par rapport à 2022 = 412 »",
        "fix_en": "add 'per year' after the expression, or declare the baseline value: 'vs 2022 = 412'",
    },
    "C221": {
        "fr": "la référence {years} n'est pas entièrement dans la période du plan (du {start} au {end}) : les données hors de cette période ne sont pas lues",
        "en": "baseline {years} is not wholly within the plan's period ({start_en} to {end_en}): data outside that period is not read",
        "fix_fr": "déclarez la valeur de référence, le chiffre que vous avez pour {years} : « {form} = 412 » (412 : votre chiffre), ou faites couvrir {years} en entier par la période du plan",
        "fix_en": "declare the baseline value, the figure you have for {years}: '{form_en} = 412' (412: your figure), or make the plan's period cover {years} in full",
    },
    "C222": {
        "fr": "« en baisse », « en hausse » ou « stable » sans année de référence compare chaque période à la précédente : il faut des périodes (indicateur « {name} »)",
        "en": "'down', 'up' or 'stable' without a baseline compares each period with the one before: periods are needed (indicator '{name}')",
        "fix_fr": "ajoutez « par an » (ou « par trimestre »…), ou une référence : « par rapport à 2022 »",
        "fix_en": "add 'per year' (or 'per quarter'…), or a baseline: 'vs 2022'",
    },
    "C223": {
        "fr": "« {fn}(… ayant …) » : seuls « part » et « nombre » comptent des unités",
        "en": "'{fn}(… having …)': only 'share' and 'count' count units",
        "fix_fr": "écrivez « part(action.quartier ayant au moins 4) » (la proportion des unités) ou « nombre(…) » (leur nombre)",
        "fix_en": "write 'share(action.district having at least 4)' (the proportion of units) or 'count(…)' (their number)",
    },
    "C224": {
        "fr": "le seuil d'une unité est un nombre d'événements, sans unité ni %",
        "en": "a unit's threshold is a number of events, without a unit or %",
        "fix_fr": "écrivez par exemple « ayant au moins 4 »",
        "fix_en": "write for example 'having at least 4'",
    },
    "C225": {
        "fr": "la période du plan (du {plan_start} au {plan_end}) ne couvre qu'en partie des périodes de l'indicateur « {name} » ({periods}) : elles seront montrées, mais pas jugées",
        "en": "the plan's period ({plan_start_en} to {plan_end_en}) covers only part of some periods of indicator '{name}' ({periods}): they will be shown, but not judged",
        "fix_fr": "pour juger chaque période en entier, faites aller la période du plan du {start} au {end}, ou découpez l'indicateur en périodes que le plan contient (par exemple « par an » quand le plan suit les années civiles)",
        "fix_en": "to judge every period in full, make the plan's period run from {start_en} to {end_en}, or cut the indicator into periods the plan contains (for example 'per year' when the plan follows calendar years)",
    },
    "C226": {
        "fr": "la référence {years} n'est pas avant la dernière année du plan ({end}) : aucune année ne vient après elle pour s'y comparer",
        "en": "baseline {years} is not before the plan's last year ({end}): no year comes after it to be compared with it",
        "fix_fr": "choisissez une année de référence antérieure, ou déclarez sa valeur : « par rapport à 2019 = 412 »",
        "fix_en": "choose an earlier baseline year, or declare its value: 'vs 2019 = 412'",
    },
    "C208": {
        "fr": "l'année {year} a deux valeurs",
        "en": "year {year} has two values",
        "fix_fr": "gardez une seule valeur par année",
        "fix_en": "keep one value per year",
    },
}
