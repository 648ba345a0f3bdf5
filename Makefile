# The two commands of README.md, and a few helpers. Each does its own set-up first.
.PHONY: run test setup lint format messages

run:
	@bash scripts/setup.sh run
	@.venv/bin/python manage.py serve

test:
	@bash scripts/setup.sh test
	@bash scripts/test.sh

lint:
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	@.venv/bin/ruff format . && .venv/bin/ruff check --fix .

# Refresh the translation catalogs from the code and templates (then translate and commit).
messages:
	@for lang in fr ru; do .venv/bin/python manage.py makemessages -l $$lang -d django --no-obsolete --no-location -i '.venv/*' -i 'node_modules/*' -i 'var/*'; done
