"""The editors' side (/redaktion): accounts, login, audit log, background imports, their pages.

Belongs here: authentication, sessions and CSRF (`auth`), the audit log (`audit`), import jobs
(`import_jobs`), the editors' tables for `sozmon db check` (`models`), the release workflow's
pages (`views`), the report editor (`berichte`), the table mapping (`mapping`), the index definition (`sozialindex`), all made by `blueprint.editors_blueprint`. Must not be here: the public pages
(`app.pages`) or the release logic itself (`indicators/`).
"""
