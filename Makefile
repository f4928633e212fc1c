# Build everything into $(BUILD). See README.md and CONFIG.
#   make            library and programs
#   make check      install missing test dependencies, build, run every test
#   make demo       build, generate sample mail, serve it on 127.0.0.1:1143
#   make install    binaries, man pages, configuration defaults
#   make deb        the Debian package into $(BUILD)/deb (debian/)
#   make bench      benchmarks (tests/bench); N=100000 for another size
#   make fuzz       run each fuzz target for a short time (clang, libFuzzer)

BUILD    ?= build
# One spelling of the build directory, so that the dependency files (-MMD),
# which name their objects by path, match however BUILD was given.
override BUILD := $(abspath $(BUILD))
CXX      ?= g++
PREFIX   ?= /usr/local
DESTDIR  ?=
SAN      ?=
OPT      ?= -O2

CXXFLAGS ?= $(OPT) -g
override CXXFLAGS += -std=c++20 -Wall -Wextra -MMD -MP -I. -Ic-client
ifeq ($(SAN),1)
override CXXFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
override LDFLAGS  += -fsanitize=address,undefined
endif
LDLIBS   += -lcrypt -lunistring

LIB_SRCS    := $(shell find c-client -name '*.cpp' | sort)
IMAPD_SRCS  := $(shell find imapd -name '*.cpp' 2>/dev/null | sort)
DMAIL_SRCS  := $(shell find dmail -name '*.cpp' 2>/dev/null | sort)
MAILTOOL_SRCS := $(shell find tools/mailtool -name '*.cpp' 2>/dev/null | sort)
IMAPSTAT_SRCS := $(shell find tools/imapstat -name '*.cpp' 2>/dev/null | sort)
UNIT_SRCS   := $(shell find tests/unit -name '*.cpp' | sort)
# imapd sources other than main.cpp are linked into the unit tests too.
IMAPD_LIB_SRCS := $(filter-out imapd/main.cpp,$(IMAPD_SRCS))
# So are dmail's (its argument parser and header filter are unit-tested).
DMAIL_LIB_SRCS := $(filter-out dmail/main.cpp,$(DMAIL_SRCS))
# And imapstat's (its line parser and statistics are unit-tested); imapstat
# reads the session-end line with imapd's own parser.
IMAPSTAT_LIB_SRCS := $(filter-out tools/imapstat/main.cpp,$(IMAPSTAT_SRCS))
IMAPSTAT_IMAPD_SRCS := imapd/log/session_end.cpp imapd/log/log.cpp
# And mailtool check's pure analyzers (check_*.cpp except the command).
MAILTOOL_CHECK_SRCS := $(filter-out tools/mailtool/check_command.cpp,$(filter tools/mailtool/check_%,$(MAILTOOL_SRCS)))

obj = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(1))

LIB      := $(BUILD)/libc-client.a
PROGRAMS := $(if $(wildcard imapd/main.cpp),$(BUILD)/imapd) \
            $(if $(wildcard dmail/main.cpp),$(BUILD)/dmail) \
            $(if $(wildcard tools/mailtool/main.cpp),$(BUILD)/mailtool) \
            $(if $(wildcard tools/imapstat/main.cpp),$(BUILD)/imapstat)

.PHONY: all check check-deb unit deps demo install deb bench fuzz clean format
all: $(LIB) $(PROGRAMS)

$(BUILD)/obj/%.o: %.cpp | $(BUILD)/.build-deps
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

# Before the first compile: name the missing Debian packages, not the first
# header the compiler cannot find (scripts/install-deps --check).
$(BUILD)/.build-deps:
	@scripts/install-deps --check build
	@mkdir -p $(dir $@) && touch $@
$(BUILD)/.unit-deps:
	@scripts/install-deps --check unit
	@mkdir -p $(dir $@) && touch $@
$(call obj,$(UNIT_SRCS)): | $(BUILD)/.unit-deps

$(LIB): $(call obj,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/imapd-lib.a: $(call obj,$(IMAPD_LIB_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# libpam and OpenSSL are not linked: imapd dlopens them when a login or TLS
# needs them (imapd/auth/pam_library, imapd/tls/openssl_library). inetd
# starts imapd once per connection, so the C++ runtime is linked statically
# (glibc stays shared): relocating libstdc++.so was a third of the CPU time
# to the greeting.
IMAPD_LDFLAGS := -static-libstdc++ -static-libgcc
$(BUILD)/imapd: $(call obj,imapd/main.cpp) $(BUILD)/imapd-lib.a $(LIB)
	$(CXX) $(LDFLAGS) $(IMAPD_LDFLAGS) -o $@ $^ $(LDLIBS) -lz

$(BUILD)/dmail: $(call obj,$(DMAIL_SRCS)) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/mailtool: $(call obj,$(MAILTOOL_SRCS)) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcrypto

$(BUILD)/imapstat: $(call obj,$(IMAPSTAT_SRCS) $(IMAPSTAT_IMAPD_SRCS)) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lz

$(BUILD)/unit-tests: $(call obj,$(UNIT_SRCS)) $(call obj,$(DMAIL_LIB_SRCS)) $(call obj,$(MAILTOOL_CHECK_SRCS)) $(call obj,$(IMAPSTAT_LIB_SRCS)) $(if $(IMAPD_LIB_SRCS),$(BUILD)/imapd-lib.a) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lpam -lssl -lcrypto -lz

unit: $(BUILD)/unit-tests

deps:
	@scripts/install-deps

# The test command of README.md: dependencies, normal build and unit tests,
# sanitizer build of the unit tests, integration tests; one summary line.
check: deps
	@scripts/run-tests

demo: deps
	@BUILD=$(BUILD) scripts/demo

install: all
	scripts/install "$(DESTDIR)" "$(PREFIX)" "$(BUILD)"

# dpkg-buildpackage in a copy of the tree under $(BUILD)/deb, so the checkout
# stays clean; the .deb lands in $(BUILD)/deb; lintian must be quiet.
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/src
	tar -cf - --exclude=./build --exclude=./.git . | tar -C $(BUILD)/deb/src -xf -
	cd $(BUILD)/deb/src && DEB_BUILD_OPTIONS="parallel=2 $(DEB_BUILD_OPTIONS)" dpkg-buildpackage -b -us -uc
	lintian --fail-on error,warning $(BUILD)/deb/*.changes
	rm -rf $(BUILD)/deb/src
	@ls $(BUILD)/deb/*.deb

# The package test alone (tests/integration/test_deb_package.py): make deb,
# a fresh Debian 12 root by debootstrap, install, login, upgrade, purge.
check-deb:
	@scripts/install-deps --deb
	@DEB_TEST=1 python3 tests/integration/run.py test_deb_package

bench: all
	@tests/bench/run $(if $(N),--count $(N))

fuzz:
	@scripts/fuzz

format:
	clang-format -i $(LIB_SRCS) $(IMAPD_SRCS) $(DMAIL_SRCS) $(UNIT_SRCS) $(shell find c-client imapd dmail tools tests -name '*.hpp')

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Long runs of the kill harness and the concurrency model check
# (tests/crash): CRASH_SECONDS per format each; CRASH_SEED repeats a run.
CRASH_SECONDS ?= 600
.PHONY: crash
crash: all
	@python3 tests/crash/kill_harness.py --keep-going --seconds $(CRASH_SECONDS) $(if $(CRASH_SEED),--seed $(CRASH_SEED)); k=$$?; \
	python3 tests/crash/model_check.py --seconds $(CRASH_SECONDS) $(if $(CRASH_SEED),--seed $(CRASH_SEED)); m=$$?; \
	[ $$k -eq 0 ] && [ $$m -eq 0 ]
