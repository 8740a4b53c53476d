"""The domain's errors: one root (`DomainError`), each class with its HTTP status and problem type.

The root and its four kinds are defined in `geodata.errors` (the bottom layer, so that
geodata's LoadError can be one of them too: geodata/ may not import indicators/) and re-exported
here; import them from this module. Domain code raises a subclass with a translatable `Message`
and plain data (`valid`: the allowed values); the app answers it in one place (`app.web.errors`):
an HTML page (with links to valid choices where the view knows them) or a problem+json
document, in the request's language; the CLI prints `str(err)` (German).

The tree (status, problem type; `tests/test_errors.py` checks every class):

    DomainError                      400 invalid-parameter
    ├── InvalidChoice                400 invalid-parameter   a page's choice refused
    │   ├── UnknownChoice            404 not-found           … names nothing that exists
    │   └── scatter.InvalidSelection 400 invalid-parameter   `auswahl` of the scatter plot
    ├── NotFound                     404 not-found
    │   ├── UnknownChoice
    │   └── releases.UnknownRelease  404 not-found
    ├── Conflict                     409 conflict
    │   └── releases.ReleaseError    409 conflict            publish/rollback/discard refused
    │       └── releases.UnknownRelease
    └── InvalidContent               422 invalid-content     nothing stored
        ├── geodata.report.LoadError                         every problem: file, row, column
        │   ├── genesis.GenesisError
        │   └── genesis_mapping.MappingError                 a mapping file's faults
        ├── tables.NumberError                               one cell (becomes a LoadError row)
        ├── notes.NoteError                                  a Kontextnotiz's form or CSV row
        ├── social_index_store.IndexDefinitionError          a Sozialindex definition's form
        ├── app.berichte.store.ReportError                   the report editor's form
        └── app.berichte.directives.DirectiveError           one {{…}} of a report's text
"""

from __future__ import annotations

from geodata.errors import Conflict, DomainError, InvalidContent, NotFound

__all__ = [
    "Conflict",
    "DomainError",
    "InvalidChoice",
    "InvalidContent",
    "NotFound",
    "UnknownChoice",
]


class InvalidChoice(DomainError):
    """A page's request names a combination the domain refuses; `field` says which parameter.

    E.g. the same Kommune twice, a period outside the data, an unknown order or measure.
    """


class UnknownChoice(NotFound, InvalidChoice):
    """A page's request names something that does not exist (an indicator, Kommune, year,
    release); `valid` lists what does where the list is short enough to offer."""
