#include "cache/cache_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "index/index_path.hpp"

namespace mail {

namespace {

constexpr size_t kFlushAt = 256 * 1024;
constexpr size_t kScanChunk = 1 << 20;

bool by_uid(const CacheRecordRef& a, const CacheRecordRef& b) { return a.uid < b.uid; }

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

}  // namespace

CacheFile::CacheFile(std::string path, Uid uidvalidity) : path_(std::move(path)), uidvalidity_(uidvalidity) {}

CacheFile::~CacheFile() { flush(); }

std::string CacheFile::read_range(uint64_t offset, size_t length) const {
    std::string out(length, '\0');
    size_t got = 0;
    while (got < length) {
        ssize_t n = ::pread(fd_.get(), out.data() + got, length - got, static_cast<off_t>(offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    out.resize(got);
    return out;
}

void CacheFile::load() {
    loaded_ = true;
    fd_ = UniqueFd(::open(path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
    if (fd_.get() < 0) {
        rebuild_ = true;  // missing (or unreadable): made at the first flush
        return;
    }
    std::string header = read_range(0, kCacheHeaderSize);
    if (!cache_header_matches(header, uidvalidity_)) {
        rebuild_ = true;  // foreign, old or damaged: replaced at the first flush
        fd_.reset();
        return;
    }
    scanned_end_ = kCacheHeaderSize;
    scan_tail();
}

// Indexes the records after scanned_end_ (ours flushed, or other sessions').
void CacheFile::scan_tail() {
    if (fd_.get() < 0 || rebuild_) return;
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0) return;
    const size_t old_count = index_.size();
    while (static_cast<uint64_t>(st.st_size) > scanned_end_) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(st.st_size - scanned_end_, kScanChunk));
        std::string bytes = read_range(scanned_end_, want);
        CacheScan scan = scan_cache_records(bytes, scanned_end_);
        index_.insert(index_.end(), scan.records.begin(), scan.records.end());
        if (scan.damaged) {
            rebuild_ = true;  // keep the good records: replace_file copies them
            break;
        }
        if (scan.end == scanned_end_) {
            // A record longer than a chunk, or one still being written.
            std::string head = read_range(scanned_end_, kCacheRecordHead);
            if (want < kScanChunk || head.size() < kCacheRecordHead) break;
            uint64_t whole = kCacheRecordHead + uint64_t{static_cast<uint8_t>(head[0])} +
                             (uint64_t{static_cast<uint8_t>(head[1])} << 8) +
                             (uint64_t{static_cast<uint8_t>(head[2])} << 16) +
                             (uint64_t{static_cast<uint8_t>(head[3])} << 24);
            if (whole > kCacheRecordHead + kMaxCacheRecord) break;
            scan = scan_cache_records(read_range(scanned_end_, static_cast<size_t>(whole)), scanned_end_);
            if (scan.records.empty()) break;
            index_.insert(index_.end(), scan.records.begin(), scan.records.end());
        }
        scanned_end_ = scan.end;
    }
    auto mid = index_.begin() + static_cast<ptrdiff_t>(old_count);
    std::stable_sort(mid, index_.end(), by_uid);
    std::inplace_merge(index_.begin(), mid, index_.end(), by_uid);
}

CachedFields CacheFile::lookup(const MessageKey& key) {
    CachedFields out;
    if (!usable_) return out;
    if (!loaded_) load();
    auto range = std::equal_range(index_.begin(), index_.end(), CacheRecordRef{key.uid, 0, 0}, by_uid);
    if (range.first == range.second) {
        scan_tail();  // another session may have added it
        range = std::equal_range(index_.begin(), index_.end(), CacheRecordRef{key.uid, 0, 0}, by_uid);
    }
    for (auto it = range.first; it != range.second; ++it) {
        auto record = decode_cache_record(read_range(it->offset, it->length));
        if (record && record->key == key) out.merge(record->fields);
    }
    return out;
}

void CacheFile::add(const MessageKey& key, const CachedFields& fields) {
    if (!usable_ || fields.empty()) return;
    if (!loaded_) load();
    pending_ += encode_cache_record(key, fields);
    if (pending_.size() >= kFlushAt) flush();
}

bool CacheFile::replace_file(const std::string& keep) {
    if (!make_index_dir(path_)) return false;
    std::string tmp = path_ + ".tmp." + std::to_string(::getpid());
    UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (out.get() < 0) return false;
    if (!write_all(out.get(), encode_cache_header(uidvalidity_) + keep) || ::rename(tmp.c_str(), path_.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return false;
    }
    return true;
}

void CacheFile::flush() {
    if (!usable_ || !loaded_ || pending_.empty()) return;
    if (rebuild_) {
        // Keep the good records of a damaged file (they were indexed), in file order.
        std::vector<CacheRecordRef> good = index_;
        std::sort(good.begin(), good.end(), [](auto& a, auto& b) { return a.offset < b.offset; });
        std::string keep;
        if (fd_.get() >= 0)
            for (const auto& r : good) keep += read_range(r.offset, r.length);
        if (!replace_file(keep)) {
            usable_ = false;
            pending_.clear();
            return;
        }
        rebuild_ = false;
        index_.clear();
        scanned_end_ = kCacheHeaderSize;
        fd_ = UniqueFd(::open(path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
        if (fd_.get() < 0) {
            usable_ = false;
            pending_.clear();
            return;
        }
    }
    // One write: O_APPEND keeps other sessions' records whole beside ours.
    if (!write_all(fd_.get(), pending_)) usable_ = false;
    pending_.clear();
}

}  // namespace mail
