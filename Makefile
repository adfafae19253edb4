# Every target bootstraps .venv itself, so a fresh clone needs only Python 3.10+ and make.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Extras installed for the test suite; JAX (and PyTorch, through EXTRA_PIP) let the unit tests run on
# every Keras backend. CI sets EXTRA_PIP=torch==2.13.0 (a CPU build); leave it empty to skip PyTorch.
TEST_EXTRAS ?= dev,jax,cluster,book,grading,browser
EXTRA_PIP ?=
PYTEST_ARGS ?=
NB_DIRS := $(wildcard notebooks exercises solutions)
LAB_ARGS ?=
# `make book`: the profile the notebooks run at (CI uses smoke), the output folder, and BOOK_SOLUTIONS=1
# for a teacher's build that includes the reference solutions.
BOOK_PROFILE ?= standard
BOOK_OUT ?= _build/book
BOOK_SOLUTIONS ?=

.PHONY: install lab test test-unit test-notebooks test-gpu exercises book report clean

# The install also fetches MathJax and Mermaid (pinned, from the npm registry; needs npm) for offline
# HTML reports and the book.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[$(TEST_EXTRAS)]" $(EXTRA_PIP)
	$(PY) -m aigc_course.publish.assets || echo "warning: no npm: HTML reports will show TeX and Mermaid as text"
	touch $@

install: $(VENV)/.installed

lab: install
	$(VENV)/bin/aigc-course doctor
	$(VENV)/bin/jupyter lab --notebook-dir=. $(LAB_ARGS)

# The whole suite: unit tests (TensorFlow here, JAX and PyTorch in subprocesses), hygiene,
# exercise sync, reports, and every notebook executed with the smoke profile.
# The real-browser tests run last and alone: JupyterLab's front end is timing-sensitive on a busy 2-core CPU.
test: install
	AIGC_PROFILE=smoke MPLBACKEND=Agg $(PY) -m pytest -n 2 --dist loadscope --nbval-lax \
	  --nbval-cell-timeout=900 --ignore=tests/browser tests $(NB_DIRS) $(PYTEST_ARGS)
	AIGC_PROFILE=smoke MPLBACKEND=Agg $(PY) -m pytest tests/browser $(PYTEST_ARGS)

test-unit: install
	MPLBACKEND=Agg $(PY) -m pytest tests $(PYTEST_ARGS)

test-notebooks: install
	AIGC_PROFILE=smoke MPLBACKEND=Agg $(PY) -m pytest -n 2 --dist loadscope --nbval-lax \
	  --nbval-cell-timeout=900 $(NB_DIRS) $(PYTEST_ARGS)

# On a GPU machine: every chapter with the full profile, so the self-check cells assert the real bars.
# Uses whatever backend KERAS_BACKEND names (JAX by default here, since it is the usual GPU install).
test-gpu: install
	AIGC_PROFILE=full KERAS_BACKEND=$${KERAS_BACKEND:-jax} MPLBACKEND=Agg $(PY) -m pytest --nbval-lax \
	  --nbval-cell-timeout=3600 notebooks $(PYTEST_ARGS)

exercises: install
	$(VENV)/bin/aigc-course exercises build

# The course as a static website in $(BOOK_OUT)/html (open index.html); executions are cached per profile.
book: install
	$(PY) -m aigc_course.publish.assets
	$(PY) -m aigc_course.publish.book --profile $(BOOK_PROFILE) --out $(BOOK_OUT) $(if $(BOOK_SOLUTIONS),--solutions)

clean:
	rm -rf $(VENV) reports .pytest_cache _build
