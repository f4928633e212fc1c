#include "drivers/unix/pending_flags.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include "index/index_path.hpp"
#include "util/fd.hpp"

namespace mail::unixmbox {

namespace {

constexpr std::string_view kMagic = "imapd-unix-flags 1";

// Splits off the next space-separated word of line.
std::string_view next_word(std::string_view& line) {
    size_t sp = line.find(' ');
    std::string_view w = line.substr(0, sp);
    line = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
    return w;
}

template <class T>
bool number(std::string_view word, T& out) {
    if (word.empty()) return false;
    auto [p, ec] = std::from_chars(word.data(), word.data() + word.size(), out);
    return ec == std::errc{} && p == word.data() + word.size();
}

}  // namespace

std::string format_pending(const PendingFlags& p) {
    std::string out(kMagic);
    out += ' ' + std::to_string(p.uidvalidity) + ' ' + std::to_string(p.since) + '\n';
    for (const auto& [uid, f] : p.by_uid) {
        out += std::to_string(uid) + ' ' + std::to_string(f.flags);
        for (const std::string& k : f.keywords) out += ' ' + k;
        out += '\n';
    }
    out += "end " + std::to_string(p.by_uid.size()) + '\n';
    return out;
}

std::optional<PendingFlags> parse_pending(std::string_view text) {
    PendingFlags p;
    bool ended = false;
    bool first = true;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        if (nl == std::string_view::npos || ended) return std::nullopt;
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl + 1);
        if (first) {
            if (line.substr(0, kMagic.size()) != kMagic || line.size() == kMagic.size() || line[kMagic.size()] != ' ')
                return std::nullopt;
            line.remove_prefix(kMagic.size() + 1);
            if (!number(next_word(line), p.uidvalidity) || !number(next_word(line), p.since) || !line.empty())
                return std::nullopt;
            first = false;
            continue;
        }
        std::string_view w = next_word(line);
        if (w == "end") {
            size_t count = 0;
            if (!number(next_word(line), count) || !line.empty() || count != p.by_uid.size()) return std::nullopt;
            ended = true;
            continue;
        }
        Uid uid = 0;
        PendingFlag f;
        if (!number(w, uid) || uid == 0 || !number(next_word(line), f.flags)) return std::nullopt;
        while (!line.empty()) {
            std::string_view k = next_word(line);
            if (k.empty()) return std::nullopt;
            f.keywords.emplace_back(k);
        }
        if (!p.by_uid.emplace(uid, std::move(f)).second) return std::nullopt;
    }
    if (!ended) return std::nullopt;
    return p;
}

PendingStamp pending_stamp(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) return {};
    return PendingStamp{st.st_ino, int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec, st.st_size};
}

std::optional<PendingFlags> load_pending(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    std::string text;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) return std::nullopt;
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    return parse_pending(text);
}

bool save_pending(const std::string& path, const PendingFlags& p) {
    if (!make_index_dir(path)) return false;
    std::string tmp = path + ".tmp" + std::to_string(::getpid());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) return false;
    std::string text = format_pending(p);
    std::string_view rest = text;
    while (!rest.empty()) {
        ssize_t n = ::write(fd.get(), rest.data(), rest.size());
        if (n <= 0) {
            ::unlink(tmp.c_str());
            return false;
        }
        rest.remove_prefix(static_cast<size_t>(n));
    }
    if (::rename(tmp.c_str(), path.c_str()) < 0) {
        ::unlink(tmp.c_str());
        return false;
    }
    return true;
}

void remove_pending(const std::string& path) { ::unlink(path.c_str()); }

}  // namespace mail::unixmbox
