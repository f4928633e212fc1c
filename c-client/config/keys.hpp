// The table of configuration keys: one line per key with its name, built-in
// default, kind of value and meaning. CONFIG, docs/imapd.conf.5 and
// docs/imapd.conf.example document the same table; a unit test keeps them
// in step. To add a key: add a line to kKeys in keys.cpp, then to CONFIG and
// the example file.
#pragma once

#include <span>
#include <string_view>

namespace mail {

enum class KeyKind {
    String,    // any text
    Size,      // bytes, with K/M/G: parse_size
    Duration,  // seconds, with s/m/h: parse_duration
    Enum,      // one of KeySpec::choices
    Path,      // empty, an absolute path, ~/... or %h/...; or one of choices
    Location,  // FORMAT:PATH[:INBOX=PATH], see location.hpp
};

struct KeySpec {
    std::string_view name;
    std::string_view default_value;
    KeyKind kind;
    // Enum: the allowed values separated by '|'; one ending in ':' allows
    // any value with that prefix and something after it ("passwd-file:").
    // Path: words allowed besides a path ("syslog|stderr").
    std::string_view choices;
    std::string_view description;
};

// Every key, in the order CONFIG documents them.
std::span<const KeySpec> config_keys();
// The key of that name, or nullptr.
const KeySpec* find_config_key(std::string_view name);

}  // namespace mail
