"""Where the official data come from, in the words every message and help text uses.

The Home Office publishes the series channelsim is checked against weekly, as an OpenDocument
spreadsheet on one gov.uk page (the page `channelsim data download` reads for the current
edition's link). A new user who has imported nothing is told that page and that command in
every "no edition" message (:data:`WHERE_HINT`), the README and `data --help` (s15 F18).
No import here: the CLI's help and a store's error read these without loading anything.
"""

from __future__ import annotations

#: The publication's title as gov.uk gives it.
TITLE = "Migrants detected crossing the English Channel in small boats – time series"

#: The gov.uk page that links every edition's ``.ods`` file (the current one first).
GOV_UK_PAGE = (
    "https://www.gov.uk/government/publications/"
    "migrants-detected-crossing-the-english-channel-in-small-boats"
)

#: How to get the data, in one clause (after a semicolon): the command, then the page.
WHERE_HINT = (
    "`channelsim data download` fetches the current edition from gov.uk and imports it; or "
    f'save the "{TITLE}" spreadsheet (.ods) from {GOV_UK_PAGE} and run '
    "`channelsim data import FILE.ods`"
)
