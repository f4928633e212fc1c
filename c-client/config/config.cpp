#include "config/config.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

#include "config/values.hpp"
#include "util/fd.hpp"

namespace mail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Splits "a|b|c" into its words.
std::vector<std::string_view> words(std::string_view list) {
    std::vector<std::string_view> out;
    while (!list.empty()) {
        size_t bar = list.find('|');
        out.push_back(list.substr(0, bar));
        if (bar == std::string_view::npos) break;
        list.remove_prefix(bar + 1);
    }
    return out;
}

std::string enum_problem(const KeySpec& key, std::string_view value) {
    std::string expected;
    for (std::string_view choice : words(key.choices)) {
        bool prefix = choice.ends_with(':');
        if (prefix ? value.starts_with(choice) && value.size() > choice.size() : value == choice)
            return "";
        if (!expected.empty()) expected += ", ";
        expected += choice;
        if (prefix) expected += "PATH";
    }
    return "expected one of " + expected;
}

std::string path_problem(const KeySpec& key, std::string_view value) {
    if (value.empty()) return "";
    for (std::string_view word : words(key.choices))
        if (value == word) return "";
    if (!(value[0] == '/' || value == "~" || value.starts_with("~/") || value.starts_with("%h"))) {
        std::string expected = "expected an absolute path, ~/PATH or %h/PATH";
        for (std::string_view word : words(key.choices)) expected += ", " + std::string(word);
        return expected;
    }
    try {
        check_path_template(value);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

// "FILE:LINE: " or "FILE: " when the line is 0.
std::string place(std::string_view source, unsigned line) {
    std::string p(source);
    if (line) p += ":" + std::to_string(line);
    return p + ": ";
}

// Reads a whole file; throws ConfigError "path: reason". ENOENT is returned
// as nullopt so that the caller decides whether a missing file is fine.
std::optional<std::string> read_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd) {
        if (errno == ENOENT) return std::nullopt;
        throw ConfigError(path + ": cannot open: " + std::strerror(errno));
    }
    std::string text;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw ConfigError(path + ": cannot read: " + std::strerror(errno));
        if (n == 0) break;
        text.append(buf, size_t(n));
    }
    return text;
}

// Parses the value part of a line (after '='): quotes and comments.
// Returns false with problem set when the value is malformed.
bool parse_value(std::string_view raw, std::string& value, std::string& problem) {
    raw = trim(raw);
    if (raw.starts_with('"')) {
        size_t close = raw.find('"', 1);
        if (close == std::string_view::npos) {
            problem = "unterminated quote in " + quoted(raw);
            return false;
        }
        std::string_view rest = trim(raw.substr(close + 1));
        if (!rest.empty() && rest[0] != '#') {
            problem = "text after the closing quote: " + quoted(rest);
            return false;
        }
        value = raw.substr(1, close - 1);
        return true;
    }
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '#' && (i == 0 || is_space(raw[i - 1]))) {
            raw = raw.substr(0, i);
            break;
        }
    }
    value = trim(raw);
    return true;
}

}  // namespace

std::string config_value_problem(const KeySpec& key, std::string_view value) {
    switch (key.kind) {
    case KeyKind::String:
        return "";
    case KeyKind::Size:
        return parse_size(value) ? "" : "expected a size: bytes, or a number with K, M or G (1536M)";
    case KeyKind::Duration:
        return parse_duration(value) ? ""
                                     : "expected a time: seconds, or a number with s, m or h (30m)";
    case KeyKind::Enum:
        return enum_problem(key, value);
    case KeyKind::Path:
        return path_problem(key, value);
    case KeyKind::Location:
        try {
            parse_location(value);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "";
    }
    return "unknown kind of key";
}

Config::Config() {
    for (const KeySpec& k : config_keys()) values_.emplace(k.name, k.default_value);
}

Config Config::parse(std::string_view text, std::string_view source) {
    Config config;
    config.source_ = source;
    unsigned line_no = 0;
    while (!text.empty()) {
        ++line_no;
        size_t nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (line.empty() || line[0] == '#') continue;

        std::string at = place(source, line_no);
        size_t eq = line.find('=');
        if (eq == std::string_view::npos)
            throw ConfigError(at + "no \"=\" in " + quoted(line) + " (expected key = value)");
        std::string_view name = trim(line.substr(0, eq));
        if (name.empty()) throw ConfigError(at + "no key before \"=\"");
        const KeySpec* key = find_config_key(name);
        if (!key) throw ConfigError(at + "unknown key " + quoted(name));
        auto first = config.set_on_line_.find(name);
        if (first != config.set_on_line_.end())
            throw ConfigError(at + "duplicate key " + quoted(name) + " (first set on line " +
                              std::to_string(first->second) + ")");
        std::string value, problem;
        if (!parse_value(line.substr(eq + 1), value, problem))
            throw ConfigError(at + problem);
        problem = config_value_problem(*key, value);
        if (!problem.empty())
            throw ConfigError(at + "bad value " + quoted(value) + " for " + std::string(name) +
                              ": " + problem);
        config.values_[std::string(name)] = value;
        config.set_on_line_[std::string(name)] = line_no;
    }
    return config;
}

Config Config::load(const std::string& path, bool must_exist) {
    std::optional<std::string> text = read_file(path);
    if (!text) {
        if (must_exist) throw ConfigError(path + ": cannot open: " + std::strerror(ENOENT));
        return Config();
    }
    return parse(*text, path);
}

Config Config::load_for(const std::string& dash_c_path) {
    return dash_c_path.empty() ? load(kDefaultPath, false) : load(dash_c_path, true);
}

void Config::set(std::string_view name, std::string_view value, std::string_view source) {
    const KeySpec* key = find_config_key(name);
    std::string at = place(source, 0);
    if (!key) throw ConfigError(at + "unknown key " + quoted(name));
    std::string problem = config_value_problem(*key, value);
    if (!problem.empty())
        throw ConfigError(at + "bad value " + quoted(value) + " for " + std::string(name) + ": " +
                          problem);
    values_[std::string(name)] = value;
    set_on_line_[std::string(name)] = 0;
}

const std::string& Config::value_of(std::string_view name, KeyKind kind) const {
    const KeySpec* key = find_config_key(name);
    if (!key) throw std::logic_error("no configuration key " + std::string(name));
    if (key->kind != kind)
        throw std::logic_error("configuration key " + std::string(name) + " read as another kind");
    return values_.find(name)->second;
}

const std::string& Config::string(std::string_view name) const {
    auto it = values_.find(name);
    if (it == values_.end()) throw std::logic_error("no configuration key " + std::string(name));
    return it->second;
}

uint64_t Config::size(std::string_view key) const {
    return *parse_size(value_of(key, KeyKind::Size));
}

std::chrono::seconds Config::duration(std::string_view key) const {
    return *parse_duration(value_of(key, KeyKind::Duration));
}

bool Config::flag(std::string_view key) const { return value_of(key, KeyKind::Enum) == "yes"; }

std::string Config::path(std::string_view name, const UserVars& vars) const {
    const std::string& value = value_of(name, KeyKind::Path);
    if (value.empty()) return value;
    for (std::string_view word : words(find_config_key(name)->choices))
        if (value == word) return value;
    return expand_path(value, vars);
}

LocationTemplate Config::mail_location() const {
    return parse_location(value_of("mail_location", KeyKind::Location));
}

ExpandedLocation Config::location_for(const UserVars& vars, const char* mail_env) const {
    ExpandedLocation location = resolve_location(value_of("mail_location", KeyKind::Location), vars, mail_env);
    location.index_dir = path("index_dir", vars);
    return location;
}

bool Config::was_set(std::string_view key) const { return set_on_line_.contains(key); }

}  // namespace mail
