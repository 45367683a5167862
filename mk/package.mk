# SPDX-License-Identifier: GPL-2.0
# Installation, Debian packages, man pages and the booted-Debian test
# (issue 5). Included by the top Makefile; every variable can be overridden:
#
#   make man                      man pages (scdoc) into build/man/
#   make install [DESTDIR=] [PREFIX=/usr/local] [KNOCKCTL=prebuilt binary]
#   make uninstall [DESTDIR=] [PREFIX=/usr/local]
#   make deb                      nfknock-dkms and knockctl .debs in build/pkg/
#   make boot-test                the packages in a booted Debian 12 (QEMU)
#
# Without DESTDIR, install also registers the module with DKMS, builds it
# for every installed kernel that has headers, and enables nfknock.service;
# uninstall undoes that. The DKMS tree always goes to /usr/src (DKMS looks
# nowhere else) and the configuration to /etc/nfknock.

TOP ?= $(CURDIR)
BUILD ?= $(TOP)/build
VERSION ?= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(TOP)/dkms.conf)
JOBS ?= 2

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
# zsh: Debian's directory for packages under /usr, site-functions (on
# Debian's $fpath too) under any other prefix. fish reads
# vendor_completions.d under each $XDG_DATA_DIRS entry (by default
# /usr/local/share and /usr/share).
ZSH_COMPLETIONDIR ?= $(PREFIX)/share/zsh/$(if $(filter /usr,$(PREFIX)),vendor-completions,site-functions)
FISH_COMPLETIONDIR ?= $(PREFIX)/share/fish/vendor_completions.d
SYSCONFDIR ?= /etc
DKMSDIR ?= /usr/src/nfknock-$(VERSION)

PKG := $(BUILD)/pkg
MANPAGES := knockctl.8 nfknock.conf.5 nfknock.4
MANOUT := $(BUILD)/man

man: $(addprefix $(MANOUT)/,$(MANPAGES))

$(MANOUT)/%: $(TOP)/man/%.scd
	@mkdir -p $(MANOUT)
	scdoc < $< > $@.tmp && mv $@.tmp $@

# knockctl for installation: our own build dir, no unit tests.
pkg-ctl:
	cmake -S $(TOP)/ctl -B $(PKG)/ctl -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DNFKNOCK_TESTS=OFF >/dev/null
	cmake --build $(PKG)/ctl -j$(JOBS)

# The DKMS source tree: dkms.conf, kmod/ (no build products), include/.
DKMS_FILES = dkms.conf $(shell cd $(TOP) && ls include/uapi/linux/*.h \
	kmod/Kbuild kmod/Makefile kmod/*.[ch] kmod/core/*.[ch])

# KNOCKCTL=FILE installs an already built knockctl instead of building one.
KNOCKCTL ?=
install: $(if $(KNOCKCTL),,pkg-ctl) man
	install -D -m 755 $(or $(KNOCKCTL),$(PKG)/ctl/knockctl) $(DESTDIR)$(BINDIR)/knockctl
	install -D -m 644 $(MANOUT)/knockctl.8 $(DESTDIR)$(MANDIR)/man8/knockctl.8
	install -D -m 644 $(MANOUT)/nfknock.conf.5 $(DESTDIR)$(MANDIR)/man5/nfknock.conf.5
	install -D -m 644 $(MANOUT)/nfknock.4 $(DESTDIR)$(MANDIR)/man4/nfknock.4
	install -D -m 644 $(TOP)/packaging/knockctl.bash-completion \
		$(DESTDIR)$(COMPLETIONDIR)/knockctl
	install -D -m 644 $(TOP)/packaging/knockctl.zsh-completion \
		$(DESTDIR)$(ZSH_COMPLETIONDIR)/_knockctl
	install -D -m 644 $(TOP)/packaging/knockctl.fish \
		$(DESTDIR)$(FISH_COMPLETIONDIR)/knockctl.fish
	install -d -m 755 $(DESTDIR)$(UNITDIR)
	sed 's|/usr/bin/knockctl|$(BINDIR)/knockctl|' $(TOP)/packaging/nfknock.service \
		> $(DESTDIR)$(UNITDIR)/nfknock.service
	chmod 644 $(DESTDIR)$(UNITDIR)/nfknock.service
	install -D -m 644 $(TOP)/docs/nfknock.conf.example \
		$(DESTDIR)$(SYSCONFDIR)/nfknock/nfknock.conf.example
	set -e; for f in $(DKMS_FILES); do \
		install -D -m 644 $(TOP)/$$f $(DESTDIR)$(DKMSDIR)/$$f; done
ifeq ($(DESTDIR),)
	dkms add -m nfknock -v $(VERSION) 2>/dev/null || \
		dkms status -m nfknock -v $(VERSION) | grep -q .
	set -e; for b in /lib/modules/*/build/Makefile; do \
		k=$$(basename $$(dirname $$(dirname $$b))); \
		dkms install -m nfknock -v $(VERSION) -k $$k; done
	if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	systemctl enable nfknock.service
	@echo "install: write $(SYSCONFDIR)/nfknock/nfknock.conf (see nfknock.conf(5)), then: systemctl start nfknock"
endif

# Leaves the administrator's own files in /etc/nfknock (configuration,
# server key), as dpkg --purge does.
uninstall:
ifeq ($(DESTDIR),)
	-systemctl disable nfknock.service
	-if dkms status -m nfknock -v $(VERSION) | grep -q .; then \
		dkms remove -m nfknock -v $(VERSION) --all; fi
endif
	rm -f $(DESTDIR)$(BINDIR)/knockctl \
		$(DESTDIR)$(MANDIR)/man8/knockctl.8 \
		$(DESTDIR)$(MANDIR)/man5/nfknock.conf.5 \
		$(DESTDIR)$(MANDIR)/man4/nfknock.4 \
		$(DESTDIR)$(COMPLETIONDIR)/knockctl \
		$(DESTDIR)$(ZSH_COMPLETIONDIR)/_knockctl \
		$(DESTDIR)$(FISH_COMPLETIONDIR)/knockctl.fish \
		$(DESTDIR)$(UNITDIR)/nfknock.service \
		$(DESTDIR)$(SYSCONFDIR)/nfknock/nfknock.conf.example
	rm -rf $(DESTDIR)$(DKMSDIR)
	-rmdir $(DESTDIR)$(SYSCONFDIR)/nfknock 2>/dev/null
ifeq ($(DESTDIR),)
	-if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
endif

# dpkg-buildpackage in a copy of the checkout (tracked and new files, not
# build/), so the checkout stays clean; the .debs, .changes and .buildinfo
# land in build/pkg/, lintian's report in build/pkg/lintian.txt. Rebuilt
# only when a file of the checkout changed (rm build/pkg/deb.stamp forces
# it); with ccache installed, compiles are cached in $(CCACHE_DIR).
CCACHE_DIR ?= /var/cache/nfknock/ccache
DEB_PATHS := README.md dkms.conf ctl kmod include debian man packaging docs mk
DEB_INPUTS := $(wildcard $(addprefix $(TOP)/,$(shell cd $(TOP) && \
	git ls-files -co --exclude-standard -- $(DEB_PATHS) 2>/dev/null)))

deb: $(PKG)/deb.stamp
	@ls -1 $(PKG)/*.deb

$(PKG)/deb.stamp: $(DEB_INPUTS)
	rm -rf $(PKG)/src $(PKG)/*.deb $(PKG)/*.changes $(PKG)/*.buildinfo $@
	mkdir -p $(PKG)/src/nfknock-$(VERSION)
	cd $(TOP) && git ls-files -co --exclude-standard -z -- $(DEB_PATHS) | \
		xargs -0 cp --parents -t $(PKG)/src/nfknock-$(VERSION)
	cd $(PKG)/src/nfknock-$(VERSION) && \
		CCACHE_DIR=$(CCACHE_DIR) dpkg-buildpackage -us -uc -b -j$(JOBS) \
		> $(PKG)/build.log 2>&1 || { tail -n 40 $(PKG)/build.log; exit 1; }
	mv $(PKG)/src/*.deb $(PKG)/src/*.changes $(PKG)/src/*.buildinfo $(PKG)/
	rm -rf $(PKG)/src
	lintian --tag-display-limit 0 $(PKG)/*.changes > $(PKG)/lintian.txt 2>&1; \
		grep -v 'root privileges' $(PKG)/lintian.txt; \
		if grep -q '^E:' $(PKG)/lintian.txt; then echo "deb: lintian errors"; exit 1; fi
	touch $@

# The booted-Debian test: builds the packages, a (cached) debootstrap root,
# installs, boots it under QEMU and checks boot, knock, reload, stop, flush
# and purge. Ends with "boot-test: N passed, M failed".
# The root (debootstrap, cached) is built while the packages build.
boot-test:
	@mkdir -p $(BUILD); \
	$(TOP)/scripts/rootfs.sh > $(BUILD)/rootfs.log 2>&1 & root_pid=$$!; \
	$(MAKE) --no-print-directory deb; deb_rc=$$?; \
	wait $$root_pid || { cat $(BUILD)/rootfs.log; }; \
	if [ $$deb_rc -ne 0 ]; then echo "boot-test: 0 passed, 1 failed (make deb)"; exit 1; fi; \
	$(TOP)/tests/boot/run

.PHONY: man pkg-ctl install uninstall deb boot-test
