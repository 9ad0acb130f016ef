# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
INSTALLED := $(VENV)/.installed
# The translations: kept as .po files, compiled here (gettext's msgfmt), never committed.
CATALOGUES := $(wildcard src/asylon/locale/*/LC_MESSAGES/django.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: demo test lint clean messages

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet --constraint constraints.txt --editable '.[test]'
	touch $@

%.mo: %.po
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: install gettext (Debian: apt-get install gettext)" >&2; exit 1; }
	msgfmt --check-format --output-file=$@ $<

demo: $(INSTALLED) $(COMPILED)
	$(VENV)/bin/asylon demo

test: $(INSTALLED) $(COMPILED)
	scripts/test

# After changing a marked string: the catalogues gain its entry, to be translated in both.
messages: $(INSTALLED)
	cd src/asylon && ASYLON_DATA_DIR=../../var ../../$(VENV)/bin/asylon makemessages --locale=ko --locale=zh_Hans \
		--ignore=migrations --add-location=file --no-obsolete

clean:
	rm -rf $(VENV) var $(COMPILED) .pytest_cache .hypothesis .mypy_cache .ruff_cache
