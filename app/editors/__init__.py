"""The editors' side (/redaktion): accounts, login, audit log, background imports."""
