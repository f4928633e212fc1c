// The configuration file reader: /etc/imapd.conf or the file given with -c.
//
//   # comment                 blank lines and comments are skipped
//   key = value               whitespace around key and value is dropped
//   key = "  value "          quotes keep the spaces inside
//   key = value   # comment   '#' after whitespace starts a comment
//
// Every key has a built-in default (keys.cpp), so no file at all works. An
// unknown key, a key given twice, a bad value or a line without '=' is a
// ConfigError: "/etc/imapd.conf:12: unknown key "mail_locaton"".
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "config/config_error.hpp"
#include "config/keys.hpp"
#include "config/location.hpp"

namespace mail {

class Config {
public:
    static constexpr const char* kDefaultPath = "/etc/imapd.conf";

    // Every key at its default.
    Config();

    // Parses the text of a configuration file; source names it in messages.
    static Config parse(std::string_view text, std::string_view source);
    // Reads the file at path. A missing file is an error when must_exist
    // (given with -c), and means all defaults otherwise (the default path).
    static Config load(const std::string& path, bool must_exist);
    // The command-line convention: load(path, true) when -c gave a path,
    // load(kDefaultPath, false) when it is empty.
    static Config load_for(const std::string& dash_c_path);

    // Sets one key, checked as a file line would be (for -o key=value style
    // overrides and tests). Throws ConfigError "source: problem".
    void set(std::string_view key, std::string_view value, std::string_view source = "override");

    // Typed getters. The key must be in the table and of the getter's kind
    // (a programming error otherwise: std::logic_error).
    const std::string& string(std::string_view key) const;  // any kind, as written
    uint64_t size(std::string_view key) const;
    std::chrono::seconds duration(std::string_view key) const;
    bool flag(std::string_view key) const;  // an Enum of yes|no
    // A Path key expanded for a user ("" stays ""; words such as syslog stay).
    std::string path(std::string_view key, const UserVars& vars) const;
    LocationTemplate mail_location() const;
    // The user's location, with $MAIL (mail_env) overriding mail_location.
    ExpandedLocation location_for(const UserVars& vars, const char* mail_env) const;

    // Whether the file set the key (rather than the default applying).
    bool was_set(std::string_view key) const;
    // The file read, or "" for built-in defaults only.
    const std::string& source() const { return source_; }

private:
    const std::string& value_of(std::string_view key, KeyKind kind) const;

    std::map<std::string, std::string, std::less<>> values_;
    std::map<std::string, unsigned, std::less<>> set_on_line_;  // 0: set(), not a file
    std::string source_;
};

// What is wrong with value for key, or "" when it is good. Exposed for tests
// and for tools that check a value given on their command line.
std::string config_value_problem(const KeySpec& key, std::string_view value);

}  // namespace mail
