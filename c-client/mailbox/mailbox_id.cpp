#include "mailbox/mailbox_id.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <functional>

#include "index/index_path.hpp"
#include "mailbox/mailbox.hpp"
#include "mailbox/store.hpp"

namespace mail {

namespace {

constexpr size_t kIdLength = 32;  // 128 bits in hex

std::string to_hex(const unsigned char* bytes, size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += digits[bytes[i] >> 4];
        s += digits[bytes[i] & 15];
    }
    return s;
}

std::string random_id() {
    unsigned char bytes[kIdLength / 2] = {};
    if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
        struct timespec ts {};
        ::clock_gettime(CLOCK_REALTIME, &ts);
        for (size_t i = 0; i < sizeof bytes; ++i)
            bytes[i] = static_cast<unsigned char>((ts.tv_nsec >> (i % 4 * 8)) ^ (ts.tv_sec >> (i % 8)) ^ ::getpid() ^ i);
    }
    return to_hex(bytes, sizeof bytes);
}

// The id in the file, if it holds one (a trailing newline allowed).
std::string read_id(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    char buf[300];
    ssize_t n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    if (n <= 0) return {};
    std::string id(buf, static_cast<size_t>(n));
    while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
    return is_object_id(id) ? id : std::string();
}

// Writes the id to a temporary file beside path and returns its name; empty
// when it cannot.
std::string write_temp(const std::string& path, const std::string& id) {
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return {};
    std::string line = id + "\n";
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    if (!ok) ::unlink(tmp.c_str());
    return ok ? tmp : std::string();
}

}  // namespace

bool is_object_id(std::string_view id) {
    if (id.empty() || id.size() > 255) return false;
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

std::string read_or_create_id_file(const std::string& id_path) {
    if (std::string id = read_id(id_path); !id.empty()) return id;
    if (!make_index_dir(id_path)) return {};
    std::string id = random_id();
    std::string tmp = write_temp(id_path, id);
    if (tmp.empty()) return {};
    // link() rather than rename(): of two sessions creating the id at once,
    // the first wins and the second reads the first's id. A damaged file is
    // replaced.
    std::string result = id;
    if (::link(tmp.c_str(), id_path.c_str()) < 0) {
        result = read_id(id_path);
        if (result.empty()) result = ::rename(tmp.c_str(), id_path.c_str()) == 0 ? id : std::string();
    }
    ::unlink(tmp.c_str());
    return result;
}

std::string mailbox_id(const Mailbox& box, const std::string& mailbox_path, std::string_view index_dir) {
    if (std::string id = box.mailbox_id(); is_object_id(id)) return id;
    if (std::string id = read_or_create_id_file(index_file_path(mailbox_path, index_dir, "id")); !id.empty())
        return id;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%016zx%08x", std::hash<std::string>{}(mailbox_path),
                  static_cast<unsigned>(box.uidvalidity()));
    return buf;
}

std::string email_id(std::string_view mailbox_id, Uid uid) {
    std::string id = "M" + std::string(mailbox_id.substr(0, 12));
    id.resize(13, '_');
    char hex[16];
    std::snprintf(hex, sizeof hex, "%x", static_cast<unsigned>(uid));
    return id + hex;
}

std::string mailbox_id(const Store& store, std::string_view name, const Mailbox& box) {
    return mailbox_id(box, store.resolve(name).path, store.location().index_dir);
}

}  // namespace mail
