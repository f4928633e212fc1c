#include "cache/sent_date_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "index/index_path.hpp"
#include "util/fd.hpp"
#include "util/write_all.hpp"

namespace mail {

namespace {

bool by_uid(const SentDateRecord& a, const SentDateRecord& b) { return a.uid < b.uid; }

// The whole file, or "" when it cannot be read.
std::string read_file(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_size <= 0) return {};
    std::string out(static_cast<size_t>(st.st_size), '\0');
    size_t got = 0;
    while (got < out.size()) {
        ssize_t n = ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    out.resize(got);
    return out;
}

}  // namespace

SentDateFile::SentDateFile(std::string path, Uid uidvalidity) : path_(std::move(path)), uidvalidity_(uidvalidity) {}

SentDateFile::~SentDateFile() { flush(); }

void SentDateFile::load() {
    loaded_ = true;
    UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) return;
    std::string bytes = read_file(fd.get());
    if (!sent_date_header_matches(bytes, uidvalidity_)) return;  // foreign or damaged: all miss
    table_ = decode_sent_date_records(std::string_view(bytes).substr(kSentDateHeaderSize));
    // Sessions append in fetch order, mostly ascending already.
    if (!std::is_sorted(table_.begin(), table_.end(), by_uid)) std::stable_sort(table_.begin(), table_.end(), by_uid);
    distinct_ = 0;
    for (size_t i = 0; i < table_.size(); ++i)
        if (i == 0 || table_[i].uid != table_[i - 1].uid) ++distinct_;
}

std::optional<int64_t> SentDateFile::lookup(const MessageKey& key) {
    if (!loaded_) load();
    auto range = std::equal_range(table_.begin(), table_.end(), SentDateRecord{key.uid, 0, 0}, by_uid);
    // The latest record that proves the message (earlier ones may be about
    // a message that had the UID before a foreign writer reused it).
    for (auto it = range.second; it != range.first;) {
        --it;
        if (auto sent = proven_sent_date(*it, uidvalidity_, key)) return sent;
    }
    return std::nullopt;
}

void SentDateFile::add(const MessageKey& key, int64_t sent) {
    pending_ += encode_sent_date_record(uidvalidity_, key, sent);
}

void SentDateFile::flush() {
    const bool repeated = table_.size() > 2 * distinct_ + 1024;  // sessions racing to fill it
    table_ = {};
    distinct_ = 0;
    loaded_ = false;
    if (pending_.empty() && !repeated) return;
    std::string pending = std::move(pending_);
    pending_.clear();

    // Append when the file is ours and whole; a torn record at its end
    // (a crash mid-write) would shift every later record, so such a file,
    // like a missing, foreign or mostly repeated one, is replaced.
    UniqueFd fd(::open(path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
    std::string keep;
    if (fd.get() >= 0) {
        struct stat st {};
        char header[kSentDateHeaderSize];
        bool ours = ::fstat(fd.get(), &st) == 0 &&
                    ::pread(fd.get(), header, sizeof header, 0) == static_cast<ssize_t>(sizeof header) &&
                    sent_date_header_matches(std::string_view(header, sizeof header), uidvalidity_);
        if (ours && !repeated && (static_cast<uint64_t>(st.st_size) - kSentDateHeaderSize) % kSentDateRecordSize == 0) {
            write_all(fd.get(), pending);  // one write: others' records stay whole beside ours
            return;
        }
        if (ours) {
            // The whole records, the last of each UID when they repeat.
            std::string bytes = read_file(fd.get());
            std::vector<SentDateRecord> records =
                decode_sent_date_records(std::string_view(bytes).substr(kSentDateHeaderSize));
            std::string body = std::move(bytes);
            body.erase(0, kSentDateHeaderSize);
            body.resize(records.size() * kSentDateRecordSize);
            if (repeated) {
                std::vector<size_t> order(records.size());
                for (size_t i = 0; i < order.size(); ++i) order[i] = i;
                std::stable_sort(order.begin(), order.end(),
                                 [&](size_t a, size_t b) { return records[a].uid < records[b].uid; });
                for (size_t i = 0; i < order.size(); ++i)
                    if (i + 1 == order.size() || records[order[i + 1]].uid != records[order[i]].uid)
                        keep.append(body, order[i] * kSentDateRecordSize, kSentDateRecordSize);
            } else {
                keep = std::move(body);
            }
        }
    }
    if (!make_index_dir(path_)) return;
    std::string tmp = path_ + ".tmp." + std::to_string(::getpid());
    UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (out.get() < 0) return;
    if (!write_all(out.get(), encode_sent_date_header(uidvalidity_) + keep + pending) ||
        ::rename(tmp.c_str(), path_.c_str()) != 0)
        ::unlink(tmp.c_str());
}

}  // namespace mail
