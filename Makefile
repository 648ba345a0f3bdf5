# The two commands of README.md, and a few helpers. Each does its own set-up first.
.PHONY: run test demo lint format messages

run:
	@bash scripts/setup.sh run
	@.venv/bin/python manage.py serve

test:
	@bash scripts/setup.sh test
	@bash scripts/test.sh

# A living demo: sandbox Asterisk, SIPp agents and callers, the portal (data in var/demo).
demo:
	@bash scripts/setup.sh demo
	@SWITCHBOARD_PATHS_DATA_DIR=$(CURDIR)/var/demo \
	 SWITCHBOARD_DATABASE_URL=sqlite:///$(CURDIR)/var/demo/switchboard.sqlite3 \
	 .venv/bin/python manage.py demo

lint:
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	@.venv/bin/ruff format . && .venv/bin/ruff check --fix .

# Refresh the translation catalogs from the code and templates (then translate and commit).
messages:
	@for lang in fr ru; do .venv/bin/python manage.py makemessages -l $$lang -d django --no-obsolete --no-location -i '.venv/*' -i 'node_modules/*' -i 'var/*'; done
