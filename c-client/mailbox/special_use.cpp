#include "mailbox/special_use.hpp"

#include <fcntl.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "mailbox/name.hpp"
#include "util/error.hpp"

namespace mail {

namespace {

constexpr std::string_view kAttributes[] = {"\\All",  "\\Archive", "\\Drafts", "\\Flagged",
                                            "\\Junk", "\\Sent",    "\\Trash"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

void add_use(SpecialUseMap& uses, const std::string& name, const std::string& attribute) {
    std::vector<std::string>& list = uses[name];
    if (std::find(list.begin(), list.end(), attribute) == list.end()) list.push_back(attribute);
}

}  // namespace

std::string special_use_attribute(std::string_view word) {
    for (std::string_view a : kAttributes)
        if (a.size() == word.size() && strncasecmp(a.data(), word.data(), a.size()) == 0) return std::string(a);
    return {};
}

SpecialUseMap parse_special_use_config(std::string_view text) {
    SpecialUseMap uses;
    while (!trim(text).empty()) {
        size_t comma = text.find(',');
        std::string_view item = trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        size_t colon = item.rfind(':');
        if (colon == std::string_view::npos)
            throw MailError(ErrorKind::Invalid, "special_use item \"" + std::string(item) + "\" is not MAILBOX:\\USE");
        std::string name = canonical_mailbox_name(trim(item.substr(0, colon)));
        validate_mailbox_name(name);
        std::string attribute = special_use_attribute(trim(item.substr(colon + 1)));
        if (attribute.empty())
            throw MailError(ErrorKind::Invalid, "special_use item \"" + std::string(item) +
                                                    "\" names no RFC 6154 use (\\All \\Archive \\Drafts "
                                                    "\\Flagged \\Junk \\Sent \\Trash)");
        add_use(uses, name, attribute);
    }
    return uses;
}

SpecialUseMap parse_special_use_file(std::string_view text) {
    SpecialUseMap uses;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        size_t tab = line.find('\t');
        if (tab == std::string_view::npos || tab == 0) continue;
        std::string name(line.substr(0, tab));
        std::string_view rest = line.substr(tab + 1);
        while (!rest.empty()) {
            size_t sp = rest.find(' ');
            std::string attribute = special_use_attribute(rest.substr(0, sp));
            if (!attribute.empty()) add_use(uses, name, attribute);
            rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
        }
    }
    return uses;
}

std::string format_special_use_file(const SpecialUseMap& uses) {
    std::string out;
    for (const auto& [name, attributes] : uses) {
        if (attributes.empty()) continue;
        out += name;
        char sep = '\t';
        for (const std::string& a : attributes) {
            out += sep;
            out += a;
            sep = ' ';
        }
        out += '\n';
    }
    return out;
}

std::string special_use_file(const StoreLocation& location) { return location.root + "/.imapd-special-use"; }

SpecialUseMap load_special_use(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream text;
    text << in.rdbuf();
    return parse_special_use_file(text.str());
}

void save_special_use(const std::string& path, const SpecialUseMap& uses) {
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    std::string data = format_special_use_file(uses);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw MailError(ErrorKind::Io, std::string("cannot write the special-use file: ") + std::strerror(errno));
    bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) < 0) {
        ::unlink(tmp.c_str());
        throw MailError(ErrorKind::Io, "cannot write the special-use file");
    }
}

SpecialUseMap effective_special_use(const Store& store) {
    SpecialUseMap uses = store.settings().special_use;
    for (auto& [name, attributes] : load_special_use(special_use_file(store.location())))
        uses[name] = std::move(attributes);
    return uses;
}

void set_user_special_use(const Store& store, const std::string& name, const std::vector<std::string>& uses) {
    std::string path = special_use_file(store.location());
    SpecialUseMap all = load_special_use(path);
    std::string key = canonical_mailbox_name(name);
    auto it = all.find(key);
    if (uses.empty()) {
        if (it == all.end()) return;  // nothing recorded: no write
        all.erase(it);
    } else {
        all[key] = uses;
    }
    save_special_use(path, all);
}

void rename_user_special_use(const Store& store, const std::string& from, const std::string& to) {
    std::string old_name = canonical_mailbox_name(from), new_name = canonical_mailbox_name(to);
    if (old_name == "INBOX") return;  // INBOX's messages move; INBOX itself stays
    std::string path = special_use_file(store.location());
    SpecialUseMap all = load_special_use(path), moved;
    std::string below = old_name + kHierarchySeparator;
    for (auto it = all.begin(); it != all.end();) {
        if (it->first == old_name || it->first.rfind(below, 0) == 0) {
            moved[new_name + it->first.substr(old_name.size())] = std::move(it->second);
            it = all.erase(it);
        } else {
            ++it;
        }
    }
    if (moved.empty()) return;  // nothing recorded: no write
    for (auto& [name, uses] : moved) all[name] = std::move(uses);
    save_special_use(path, all);
}

void create_special_use_mailboxes(Store& store) {
    for (const auto& [name, attributes] : store.settings().special_use) {
        if (name == "INBOX" || store.resolve(name).driver) continue;
        store.create(name);
    }
}

}  // namespace mail
