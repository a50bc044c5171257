# The one place commands live. `make demo` and `make test` are the README's contract.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: demo test install install-dev lint fmt migrations-check messages run worker beat clean bench

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## demo: the portal on its embedded default (SQLite, eager Celery, console mail) with the demo data
# Runs like the product (DEBUG off: the portal's own error pages, static files through
# whitenoise, hashed and cached for a year); its links (emails, QR codes) use the address
# it serves unless SITE_URL says.
demo: export SITE_URL ?= http://$(HOST):$(PORT)
demo: export DEBUG ?= false
demo: export STATIC_MANIFEST ?= true
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  The portal is starting at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	@echo ""
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

## test: lint, migrations check and the whole suite (PostgreSQL and Redis when DATABASE_URL etc. are set)
test: install-dev lint migrations-check vnu
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## vnu: the Nu Html Checker (tests/portal/test_valid_html.py) in var/vnu, from the npm package
## vnu-jar, pinned and checked; it runs on Java (.ci/run installs default-jre-headless).
## Without npm it is left out and the test skips (on CI it fails instead).
VNU_VERSION := 26.9.27
VNU_SHA256 := 22f15dd39a33bed929d2a5c0cddf5946849a647eca9272bf4d5d00bc7e7a4d47
VNU_JAR := var/vnu/vnu-$(VNU_VERSION).jar
.PHONY: vnu
vnu:
	@if [ -f $(VNU_JAR) ]; then :; \
	elif command -v npm >/dev/null; then $(MAKE) --no-print-directory $(VNU_JAR); \
	else echo "npm is missing: no $(VNU_JAR), tests/portal/test_valid_html.py will skip" >&2; fi

$(VNU_JAR):
	rm -rf var/vnu/tmp && mkdir -p var/vnu/tmp
	cd var/vnu/tmp && npm pack --silent vnu-jar@$(VNU_VERSION) >/dev/null && tar -xzf vnu-jar-$(VNU_VERSION).tgz package/build/dist/vnu.jar
	echo "$(VNU_SHA256)  var/vnu/tmp/package/build/dist/vnu.jar" | sha256sum --check --quiet
	rm -f var/vnu/vnu-*.jar
	mv var/vnu/tmp/package/build/dist/vnu.jar $@
	rm -rf var/vnu/tmp

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

fmt: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

## messages: refresh the .po files from the code and compile them
messages: install-dev
	$(BIN)/python manage.py makemessages -l vi -l en --no-obsolete --no-wrap --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

## run, worker, beat: the parts of a real deployment (set DATABASE_URL, CELERY_BROKER_URL, REDIS_URL)
run: install
	$(BIN)/gunicorn portal.wsgi --bind $(HOST):$(PORT) --workers $$(nproc) --access-logfile -

worker: install
	$(BIN)/celery -A portal worker --loglevel=INFO

beat: install
	$(BIN)/celery -A portal beat --loglevel=INFO --schedule var/celerybeat-schedule

## bench: the national-scale benchmark on PostgreSQL and Redis (SCALE=1 is 3,500 units and ~1M deliveries)
SCALE ?= 0.05
bench: install-dev
	$(BIN)/python manage.py bench --scale $(SCALE)

## ux: a commune clerk's two journeys on a phone over slow 3G in chromium, on a fresh demo
## database in var/ux (time, taps and bytes against issue #17's goals)
UX_ENV = DATABASE_URL=sqlite:///$(CURDIR)/var/ux/db.sqlite3 MEDIA_ROOT=$(CURDIR)/var/ux/media STATIC_ROOT=$(CURDIR)/var/ux/static \
	STATIC_MANIFEST=true DEBUG=false CELERY_BROKER_URL= REDIS_URL=
.PHONY: ux
ux: install-dev
	rm -rf var/ux && mkdir -p var/ux
	$(UX_ENV) $(BIN)/python manage.py migrate --noinput -v 0
	$(UX_ENV) $(BIN)/python manage.py collectstatic --noinput -v 0
	$(UX_ENV) $(BIN)/python manage.py seed_demo > /dev/null
	$(UX_ENV) $(BIN)/python manage.py ux

## backup: one dated archive of the database and the uploaded files in var/backups (BACKUP_DIR=... for another)
## restore: ARCHIVE=var/backups/portal-....tar.gz back over them, then verified; CONFIRM=yes if the database holds rows
.PHONY: backup restore
backup: install
	$(BIN)/python manage.py backup $(if $(BACKUP_DIR),--dir "$(BACKUP_DIR)")

restore: install
	@test -n "$(ARCHIVE)" || { echo "usage: make restore ARCHIVE=var/backups/portal-YYYYmmdd-HHMMSS.tar.gz [CONFIRM=yes]" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(ARCHIVE)" $(if $(filter yes,$(CONFIRM)),--yes)

clean:
	rm -rf var/db.sqlite3 var/media var/staticfiles .pytest_cache
