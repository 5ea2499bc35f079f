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

.PHONY: all build test install clean

all: build

# The binary depends on every Go file; go build itself decides what to rebuild. Static
# (CGO_ENABLED=0): no dynamic loader or C library to load at each start (README, Set up).
build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/mmtrace

test:
	$(GO) test ./...

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
