# Build, test and install mmtrace. "make install" puts the binary, its manual pages and its
# bash completion under $(PREFIX); DESTDIR stages it all elsewhere (for packages):
#   make install PREFIX=/usr DESTDIR=/tmp/pkg

PREFIX ?= /usr/local
DESTDIR ?=
GO ?= go
# The binary built: the one the README's commands run, at the top of the work tree.
BIN ?= mmtrace

BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man/man1
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions

.PHONY: all build test test-deps install clean

all: build

# The binary depends on every Go file; go build itself decides what to rebuild. Static
# (CGO_ENABLED=0): no dynamic loader or C library to load at each start (README, Set up).
build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/mmtrace

# The README's test command: installs what the tests need, then vets and runs every test. The
# tests need, beyond Go, gcc and strace (all on a fresh machine): gcc-multilib (i386 programs),
# chromium (the HTML pages are loaded and screenshotted in it), bash-completion (the completion
# script is run for real), man-db (the manual); setarch, script and pmap come with Debian's base
# system. Installing needs root (apt-get); a test whose tool is still missing fails saying so.
test: test-deps
	$(GO) vet ./...
	$(GO) test ./...

test-deps:
	@pkgs=""; \
	printf 'int main(void){return 0;}\n' | cc -m32 -x c -o /dev/null - 2>/dev/null || pkgs="$$pkgs gcc-multilib"; \
	command -v chromium >/dev/null || pkgs="$$pkgs chromium"; \
	[ -f /usr/share/bash-completion/bash_completion ] || pkgs="$$pkgs bash-completion"; \
	command -v man >/dev/null || pkgs="$$pkgs man-db"; \
	if [ -n "$$pkgs" ]; then \
		echo "make test-deps: installing$$pkgs" >&2; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs >/dev/null || exit 1; \
	fi; \
	for tool in go cc strace setarch script pmap chromium man; do \
		command -v $$tool >/dev/null || { echo "make test-deps: $$tool is missing" >&2; exit 1; }; \
	done

# The manual pages and the completion script are made by the binary just built, from its own
# commands, so they always describe it.
install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/mmtrace
	tmp=$$(mktemp -d) && \
	$(abspath $(BIN)) man $$tmp && \
	install -m 0644 $$tmp/*.1 $(DESTDIR)$(MANDIR)/ && \
	$(abspath $(BIN)) completion bash > $$tmp/mmtrace.bash && \
	install -m 0644 $$tmp/mmtrace.bash $(DESTDIR)$(BASHCOMPDIR)/mmtrace && \
	rm -rf $$tmp

clean:
	rm -f $(BIN)
