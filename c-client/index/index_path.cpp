#include "index/index_path.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <functional>
#include <vector>

namespace mail {
namespace {

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string parent_of(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The mailbox path as one file name: '%' and '/' escaped; when that is longer
// than a file name may be, the tail of the path after a hash of all of it.
std::string escaped_name(const std::string& path) {
    std::string out;
    for (char c : path) {
        if (c == '%') out += "%25";
        else if (c == '/') out += "%2F";
        else out += c;
    }
    constexpr size_t kMaxName = 200;
    if (out.size() <= kMaxName) return out;
    char hash[32];
    std::snprintf(hash, sizeof hash, "%016zx-", std::hash<std::string>{}(path));
    return hash + out.substr(out.size() - (kMaxName - 17));
}

// The prefix shared by every index file of a mailbox file ("DIR/.imapd/FILE.").
std::string file_prefix(const std::string& mailbox_path, std::string_view index_dir) {
    if (index_dir.empty()) return parent_of(mailbox_path) + "/.imapd/" + base_of(mailbox_path) + ".";
    return std::string(index_dir) + "/" + escaped_name(mailbox_path) + ".";
}

// Index files of a mailbox file: the names in the prefix's directory that
// start with the prefix's last component.
std::vector<std::string> files_with_prefix(const std::string& prefix) {
    std::vector<std::string> found;
    std::string dir = parent_of(prefix), start = base_of(prefix);
    DIR* d = ::opendir(dir.c_str());
    if (!d) return found;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.size() > start.size() && name.compare(0, start.size(), start) == 0 &&
            name.find('.', start.size()) == std::string::npos)
            found.push_back(name.substr(start.size()));
    }
    ::closedir(d);
    return found;
}

}  // namespace

std::string index_file_path(const std::string& mailbox_path, std::string_view index_dir,
                            std::string_view kind) {
    if (index_dir.empty() && is_directory(mailbox_path))
        return mailbox_path + "/imapd-" + std::string(kind);
    return file_prefix(mailbox_path, index_dir) + std::string(kind);
}

bool make_index_dir(const std::string& index_file) {
    std::string dir = parent_of(index_file);
    if (is_directory(dir)) return true;
    if (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) return true;
    // index_dir itself may be missing (e.g. %h/.imapd-cache on first use).
    std::string above = parent_of(dir);
    if (!is_directory(above) && ::mkdir(above.c_str(), 0700) != 0 && errno != EEXIST) return false;
    return ::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST;
}

void remove_index_files(const std::string& mailbox_path, std::string_view index_dir) {
    if (index_dir.empty() && is_directory(mailbox_path)) return;
    std::string prefix = file_prefix(mailbox_path, index_dir);
    for (const std::string& kind : files_with_prefix(prefix)) ::unlink((prefix + kind).c_str());
}

void rename_index_files(const std::string& from_path, const std::string& to_path,
                        std::string_view index_dir) {
    if (index_dir.empty() && is_directory(to_path)) return;
    std::string from = file_prefix(from_path, index_dir), to = file_prefix(to_path, index_dir);
    std::vector<std::string> kinds = files_with_prefix(from);
    if (kinds.empty() || !make_index_dir(to + "x")) return;
    for (const std::string& kind : kinds) ::rename((from + kind).c_str(), (to + kind).c_str());
}

}  // namespace mail
