#include "tools/imapstat/log_reader.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <memory>
#include <zlib.h>

#include "util/fd.hpp"

namespace mail::imapstat {

namespace {

bool exists(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

struct GzCloser {
    void operator()(gzFile f) const { gzclose(f); }
};

}  // namespace

std::vector<std::string> rotated_files(const std::string& base) {
    std::vector<std::string> found;
    // logrotate's default keeps a few weeks; look well beyond, stop at a gap
    // of several numbers.
    int misses = 0;
    std::vector<std::string> newest_first;
    for (int n = 1; n < 1000 && misses < 5; ++n) {
        std::string plain = base + "." + std::to_string(n);
        if (exists(plain + ".gz")) {
            newest_first.push_back(plain + ".gz");
            misses = 0;
        } else if (exists(plain)) {
            newest_first.push_back(plain);
            misses = 0;
        } else {
            ++misses;
        }
    }
    found.assign(newest_first.rbegin(), newest_first.rend());
    if (exists(base)) found.push_back(base);
    return found;
}

std::string read_lines(const std::string& path, std::time_t& mtime,
                       const std::function<void(std::string_view)>& on_line) {
    UniqueFd fd;
    if (path == "-") {
        fd.reset(::dup(STDIN_FILENO));
        mtime = std::time(nullptr);
    } else {
        fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return path + ": " + std::strerror(errno);
        struct stat st;
        if (::fstat(fd.get(), &st) != 0) return path + ": " + std::strerror(errno);
        if (S_ISDIR(st.st_mode)) return path + ": is a directory";
        mtime = st.st_mtime;
    }
    if (!fd) return path + ": " + std::strerror(errno);
    // gzdopen takes the descriptor over (gzclose closes it).
    gzFile raw = gzdopen(fd.get(), "rb");
    if (!raw) return path + ": cannot read";
    fd.release();
    std::unique_ptr<gzFile_s, GzCloser> gz(raw);
    gzbuffer(raw, 256 * 1024);

    constexpr size_t kBuffer = 1 << 20;
    std::string buf(kBuffer, '\0');
    size_t have = 0;
    bool skipping = false;  // dropping the rest of an overlong line
    for (;;) {
        int n = gzread(raw, buf.data() + have, static_cast<unsigned>(kBuffer - have));
        if (n < 0) {
            int err = 0;
            const char* msg = gzerror(raw, &err);
            return path + ": " + (err == Z_ERRNO ? std::strerror(errno) : msg);
        }
        if (n == 0) break;
        have += static_cast<size_t>(n);
        std::string_view data(buf.data(), have);
        size_t pos = 0;
        for (;;) {
            size_t nl = data.find('\n', pos);
            if (nl == std::string_view::npos) break;
            if (!skipping) on_line(data.substr(pos, nl - pos));
            skipping = false;
            pos = nl + 1;
        }
        if (pos == 0 && have == kBuffer) {
            if (!skipping) on_line(data);
            skipping = true;
            have = 0;
            continue;
        }
        std::memmove(buf.data(), buf.data() + pos, have - pos);
        have -= pos;
    }
    if (have > 0 && !skipping) on_line(std::string_view(buf.data(), have));
    return {};
}

}  // namespace mail::imapstat
