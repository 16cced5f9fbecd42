# Two entry points for a fresh machine: `make demo` and `make test`.
# Both create the virtual environment and install what they need themselves.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := data/demo
STORE  ?= ladybug:data/graph
SEED   ?= 7
DEMO_WARNINGS ?= data/warnings.csv
PORT   ?= 8501

LINTER := tools/cypher-lint/node_modules/.installed

.PHONY: demo test setup system-deps node browser lint bench-load bench-scan bench-pages bench-resolve bench-scale clean

# System packages (tools/system-deps.sh: one apt-get call for whatever is missing, when
# root; otherwise the error says what to install). fonts-wqy-microhei: 1.6 MB of TrueType
# outlines that fpdf2 subsets in about a second.
DEPS := PYTHON=$(PYTHON) sh tools/system-deps.sh
system-deps:
	@$(DEPS) venv font

# uv installs: pip itself took 875 s on a clean clone here (resolver walking PyPI file
# links, then byte-compiling every file); uv resolves and installs the same set in
# about 30 s. uv is pinned. --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set
# (as on the CI machines) Python never caches what it compiles, so every process —
# each CLI call, each Streamlit server — compiled pandas, Streamlit and SQLAlchemy from
# source again: importing them took 30 s instead of 9 s here. Compiled once at install.
# The venv is made without pip (ensurepip alone took 90 s here); the machine's pip
# puts uv into it, and uv installs the rest.
UV_VERSION := 0.13.9
$(STAMP): pyproject.toml | system-deps
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install -q --no-compile uv==$(UV_VERSION)
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Node runs Neo4j's own Cypher linter in the tests; Debian's nodejs when the machine has none.
node:
	@$(DEPS) node

# Pinned by the committed package-lock.json.
$(LINTER): tools/cypher-lint/package-lock.json | node
	cd tools/cypher-lint && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Generate the demo county (deterministic), load it, print the report and the counts,
# scan it, create (or reset) one demo account per role and print their passwords, then serve the workbench on http://127.0.0.1:$(PORT) (Ctrl+C ends it).
demo: setup
	@[ -f $(DEMO)/truth/planted.csv ] || $(BIN)/workbench demo-data $(DEMO) --scale demo --seed $(SEED)
	$(BIN)/workbench load $(DEMO) --store $(STORE) --reset
	$(BIN)/workbench info --store $(STORE)
	$(BIN)/workbench scan --store $(STORE) --out $(DEMO_WARNINGS)
	$(BIN)/workbench demo-users --store $(STORE)
	$(BIN)/workbench serve --store $(STORE) --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The end-to-end test drives Debian's chromium and renders a packet's PDF page with pdftoppm.
browser:
	@$(DEPS) browser

# Every system package first, in one apt-get; then the Python packages (uv) and the Node
# linter (npm ci) side by side; then ruff; then pytest on every core (xdist, one test
# file per worker at a time, so module fixtures are built once; tests/conftest.py puts the
# browser test and the Neo4j lint, the two longest, at the head of the queue).
TEST_WORKERS ?= auto
test:
	@echo "[$$(date +%T)] system packages"; $(DEPS) venv font node browser
	@echo "[$$(date +%T)] python and node packages"; $(MAKE) --no-print-directory -j2 setup $(LINTER)
	@echo "[$$(date +%T)] ruff"; $(MAKE) --no-print-directory lint
	@echo "[$$(date +%T)] pytest"; $(BIN)/pytest -q -rs -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=20
	@echo "[$$(date +%T)] done"

bench-scan: setup
	$(BIN)/python bench/scan.py --scale county

# Every page in a real browser on the demo store (make demo first): target < 2 s each.
bench-pages: setup browser
	$(BIN)/python bench/pages.py --store $(STORE)

# Identity resolution on a county with 2 % of (person, program) payment groups damaged:
# precision, recall, F1 against the generator's truth; target resolve step < 60 s.
bench-resolve: setup
	$(BIN)/python bench/resolve.py --scale county --noise 0.02

bench-load: setup
	$(BIN)/python bench/load.py --scale county

# Load, scan, one month appended and rescanned, ego-graph latency (SCALE=county|city),
# then the query plans of the slowest models: bench/results/scale_$(SCALE).md, profile_$(SCALE).md.
SCALE ?= county
bench-scale: setup
	$(BIN)/python bench/scale.py --scale $(SCALE)
	$(BIN)/python bench/profile.py --scale $(SCALE) --notes bench/profile_notes.md

clean:
	rm -rf $(VENV) data/graph data/demo bench/work
