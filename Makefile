# The two commands a newcomer needs: `make demo` and `make test`.
# Both create (or reuse) the virtual environment and install secgate into it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstall whenever pyproject.toml changes (the stamp carries its digest).
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)

.PHONY: demo test check unit system-deps bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "secgate needs Python >= 3.11 as $(PYTHON)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

demo: $(STAMP)
	$(BIN)/secgate --demo

# System packages the tests use: tmux (terminal end-to-end test), OpenSSH's
# ssh-keygen and ssh-agent (signed approvals), the fonts the record PDFs embed
# (DejaVu Sans; WenQuanYi Micro Hei for Chinese, Japanese and Korean) and a real
# Redmine (Debian packages) that the suite starts on 127.0.0.1.
PDF_FONTS := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
system-deps:
	@command -v tmux >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null; }
	@{ command -v ssh-keygen && command -v ssh-agent && command -v ssh-add; } >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-client >/dev/null; }
	@ls $(PDF_FONTS) >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core fonts-wqy-microhei >/dev/null; }
	@if [ -x tests/redmine/install.sh ]; then tests/redmine/install.sh; fi

check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) system-deps check
	$(BIN)/pytest -q

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_gate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
