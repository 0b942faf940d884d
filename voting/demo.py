"""The built-in demo event: statements on local integral safety policy, in Dutch."""

from __future__ import annotations

DEMO_TITLE = "Integrale veiligheid in onze gemeenten"

DEMO_STATEMENTS = [
    "Elke gemeente moet een vaste medewerker hebben voor de bestuurlijke aanpak van"
    " georganiseerde criminaliteit.",
    "De burgemeester moet vaker gebruikmaken van zijn bevoegdheid om panden te sluiten"
    " die dienen als dekmantel voor drugshandel.",
    "Overlast door jongeren op pleinen los je beter op met jeugdwerkers dan met"
    " samenscholingsverboden.",
    "Huiselijk geweld moet in elke politiezone een prioriteit zijn in het zonaal veiligheidsplan.",
    "Trajectcontrole en flitspalen op gemeentewegen leveren meer verkeersveiligheid op"
    " dan extra politiecontroles.",
    "Slimme camera's met nummerplaatherkenning mogen overal in de gemeente hangen.",
    "Gemeenschapswachten verdienen meer bevoegdheden om kleine overlast zelf af te handelen.",
    "Politie en stad moeten informatie over criminele dossiers vlotter kunnen delen,"
    " ook als dat privacy kost.",
    "Eén euro in preventie levert meer veiligheid op dan één euro in repressie.",
    "De burgemeester moet de regie over het lokale veiligheidsbeleid stevig in handen"
    " houden, ook tegenover het parket.",
]

DEMO_ROLES = [
    "Burgemeester of schepen",
    "Politie",
    "Justitie",
    "Gemeentepersoneel (preventie, welzijn…)",
    "Andere",
]
