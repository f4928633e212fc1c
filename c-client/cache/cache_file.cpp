#include "cache/cache_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "index/index_path.hpp"
#include "util/write_all.hpp"

namespace mail {

namespace {

constexpr size_t kFlushAt = 256 * 1024;
// The mapping's pages a session may hold at once: past this many bytes
// looked at, the touched pages are dropped from the resident set (they stay
// in the page cache), so a SORT over 100,000 messages does not hold the
// whole file. The scan at load reads the file in windows of this size.
constexpr size_t kMaxTouched = 4 << 20;
constexpr size_t kPage = 4096;

bool by_uid(const CacheRecordRef& a, const CacheRecordRef& b) { return a.uid < b.uid; }

}  // namespace

CacheFile::CacheFile(std::string path, Uid uidvalidity)
    : path_(std::move(path)), uidvalidity_(uidvalidity), dates_(SentDateFile::path_beside(path_), uidvalidity) {}

CacheFile::~CacheFile() {
    flush();
    release();
}

void CacheFile::release() {
    if (map_) ::munmap(map_, map_size_);
    map_ = nullptr;
    map_size_ = 0;
    touched_ = 0;
    last_page_ = UINT64_MAX;
}

// [offset, offset+length) of the file, mapped (again) when it lies beyond
// the mapping. The file only grows (a replacement is a new inode), so the
// mapped bytes stay valid while fd_ is open.
std::string_view CacheFile::mapped(uint64_t offset, size_t length) {
    if (fd_.get() < 0) return {};
    if (offset + length > map_size_) {
        struct stat st {};
        if (::fstat(fd_.get(), &st) != 0 || static_cast<uint64_t>(st.st_size) < offset + length) return {};
        release();
        void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd_.get(), 0);
        if (p == MAP_FAILED) return {};
        map_ = p;
        map_size_ = static_cast<size_t>(st.st_size);
    }
    // Pages newly looked at (records in file order share pages).
    const uint64_t first = offset / kPage, last = (offset + std::max<size_t>(length, 1) - 1) / kPage;
    const size_t pages = static_cast<size_t>(last - first + 1) - (first == last_page_ ? 1 : 0);
    last_page_ = last;
    touched_ += pages * kPage;
    if (touched_ > kMaxTouched + length + kPage) {
        ::madvise(map_, map_size_, MADV_DONTNEED);  // read-only shared: nothing is lost
        touched_ = static_cast<size_t>(last - first + 1) * kPage;
    }
    return {static_cast<const char*>(map_) + offset, length};
}

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
    if (::fstat(fd_.get(), &st) != 0 || static_cast<uint64_t>(st.st_size) <= scanned_end_) return;
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    const size_t old_count = index_.size();
    while (scanned_end_ < size) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(size - scanned_end_, kMaxTouched));
        std::string_view bytes = mapped(scanned_end_, want);
        if (bytes.empty()) break;
        CacheScan scan = scan_cache_records(bytes, scanned_end_, false);
        if (scan.records.empty() && !scan.damaged && want < size - scanned_end_) {
            // A record that does not end inside the window: take it whole.
            uint64_t whole = kCacheRecordHead + (uint64_t{static_cast<uint8_t>(bytes[0])} |
                                                 uint64_t{static_cast<uint8_t>(bytes[1])} << 8 |
                                                 uint64_t{static_cast<uint8_t>(bytes[2])} << 16 |
                                                 uint64_t{static_cast<uint8_t>(bytes[3])} << 24);
            if (whole > kCacheRecordHead + kMaxCacheRecord || whole > size - scanned_end_) break;
            scan = scan_cache_records(mapped(scanned_end_, static_cast<size_t>(whole)), scanned_end_, true);
        }
        index_.insert(index_.end(), scan.records.begin(), scan.records.end());
        if (scan.damaged) rebuild_ = true;  // keep the good records: replace_file copies them
        if (scan.end == scanned_end_ || scan.damaged) {
            scanned_end_ = scan.end;
            break;  // the end, or a record still being written
        }
        scanned_end_ = scan.end;
    }
    auto mid = index_.begin() + static_cast<ptrdiff_t>(old_count);
    std::stable_sort(mid, index_.end(), by_uid);
    std::inplace_merge(index_.begin(), mid, index_.end(), by_uid);
}

CachedFields CacheFile::lookup(const MessageKey& key, unsigned wanted) {
    CachedFields out;
    const bool date_alone = wanted == kCacheSentDate;
    if (date_alone) {
        // SORT (DATE): 16 bytes of the sent-date file, not this file's pages.
        if (auto sent = dates_.lookup(key)) {
            out.sent_date = *sent;
            return out;
        }
    }
    out = lookup_records(key, wanted);
    if (date_alone && out.sent_date) dates_.add(key, *out.sent_date);  // the next SORT finds it there
    return out;
}

CachedFields CacheFile::lookup_records(const MessageKey& key, unsigned wanted) {
    CachedFields out;
    if (!usable_) return out;
    if (!loaded_) load();
    auto range = std::equal_range(index_.begin(), index_.end(), CacheRecordRef{key.uid, 0, 0}, by_uid);
    if (range.first == range.second) {
        scan_tail();  // another session may have added it
        range = std::equal_range(index_.begin(), index_.end(), CacheRecordRef{key.uid, 0, 0}, by_uid);
    }
    for (auto it = range.first; it != range.second; ++it) {
        auto record = decode_cache_record(mapped(it->offset, it->length), wanted);
        if (!record) {
            // Damaged (its sum is checked only now): replaced at the next
            // flush without it; this lookup simply misses.
            rebuild_ = true;
            index_.erase(it);
            return lookup_records(key, wanted);
        }
        if (record->key == key) out.merge(record->fields);
    }
    return out;
}

void CacheFile::add(const MessageKey& key, const CachedFields& fields) {
    if (fields.sent_date) dates_.add(key, *fields.sent_date);
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
    dates_.flush();
    if (!usable_ || !loaded_ || pending_.empty()) {
        release();
        return;
    }
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
        release();
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
    release();
}

}  // namespace mail
